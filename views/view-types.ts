import type { Flash } from '../src/lib/flash';
import type { FormErrors } from '../src/lib/form';

/** The signed-in person as the layout needs them. */
export type Viewer = { id: number; username: string; image: string | null };

/** Everything the layout needs besides the page itself. */
export type PageContext = {
  title: string;
  viewer: Viewer | null;
  flash: Flash | null;
  /** the request path, to mark the active nav link */
  path: string;
  /** the full path and query of this page, for forms that come back here */
  here: string;
  siteName: string;
  asset: (name: string) => string;
  requestId?: string;
};

export type { FormErrors };
