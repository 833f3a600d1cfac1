import type { Child } from 'hono/jsx';

/** The sections of /admin, in the order its navigation lists them. */
export const ADMIN_SECTIONS = [
  { href: '/admin', label: 'Overview' },
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/content', label: 'Content' },
  { href: '/admin/reports', label: 'Reports' },
  { href: '/admin/media', label: 'Images' },
  { href: '/admin/settings', label: 'Site settings' },
  { href: '/admin/pages', label: 'Pages' },
  { href: '/admin/invitations', label: 'Invitations' },
  { href: '/admin/mail', label: 'Mail' },
  { href: '/admin/audit', label: 'Audit log' },
] as const;

export type AdminSection = (typeof ADMIN_SECTIONS)[number]['href'];

/**
 * Every /admin page: its heading and the sections' navigation, the current one marked. `allowed`
 * lists the sections the viewer's role may open (a moderator sees no users or settings).
 */
export function AdminLayout(props: { current: AdminSection; heading: string; allowed: readonly AdminSection[]; children: Child }) {
  return (
    <div class="admin-page container page">
      <h1>{props.heading}</h1>
      <nav class="admin-nav" aria-label="Administration">
        <ul class="nav nav-pills outline-active">
          {ADMIN_SECTIONS.filter((section) => props.allowed.includes(section.href)).map((section) => (
            <li class="nav-item">
              <a
                class={section.href === props.current ? 'nav-link active' : 'nav-link'}
                href={section.href}
                aria-current={section.href === props.current ? 'page' : undefined}
              >
                {section.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="admin-body">{props.children}</div>
    </div>
  );
}

/** Previous and next links of a paginated admin table; `href(page)` keeps the page's other query. */
export function AdminPager(props: { page: number; pages: number; href: (page: number) => string }) {
  if (props.pages <= 1) return <></>;
  return (
    <nav class="admin-pager" aria-label="Pages">
      {props.page > 1 && (
        <a href={props.href(props.page - 1)} rel="prev">
          Newer
        </a>
      )}{' '}
      <span>
        Page {props.page} of {props.pages}
      </span>{' '}
      {props.page < props.pages && (
        <a href={props.href(props.page + 1)} rel="next">
          Older
        </a>
      )}
    </nav>
  );
}
