/**
 * The tenant brand, shared by the layers that may not import each other (query/ and policies/): a
 * plain type and a checked constructor, no runtime dependencies.
 */
declare const tenantBrand: unique symbol;
/**
 * Whose rows a query may read: the slug of the signed-in session's organisation, made only by
 * `tenantOf` (services/tenant.ts) from a session — never from a request body, a query string or a
 * default. Every plan carries one; on a dataset with a tenant column the compiler turns it into the
 * innermost predicate, and a plan without one does not compile.
 */
export type TenantId = string & { readonly [tenantBrand]: true };

/** Organisation slugs (server/auth): lower-case letters, digits and inner dashes. */
const TENANT_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export function tenantId(slug: string): TenantId {
  if (!TENANT_SLUG.test(slug)) throw new Error(`not a tenant slug: ${JSON.stringify(slug.slice(0, 80))}`);
  return slug as TenantId;
}
