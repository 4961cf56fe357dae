import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Component tests (*.test.tsx, vitest project `web-dom`): unmount what each test rendered. Testing
// Library does this by itself only when vitest's globals are on, and they are off here.
afterEach(cleanup);
