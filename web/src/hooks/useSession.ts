import { useQuery } from '@tanstack/react-query';
import { sessionQuery } from '../api/accounts-queries.js';

/** Who is signed in (or a 401 error when nobody is); shared by the header and every account page. */
export function useSession() {
  return useQuery(sessionQuery());
}
