import { DateTime } from '../components/date';

export type SessionRow = { handle: string; device: string; createdAt: Date; lastSeenAt: Date; current: boolean };

export function SessionsPage(props: { sessions: SessionRow[] }) {
  const others = props.sessions.filter((session) => !session.current);
  return (
    <div class="settings-page sessions-page">
      <div class="container page">
        <div class="row">
          <div class="col-md-8 offset-md-2 col-xs-12">
            <h1 class="text-xs-center">Your sessions</h1>
            <p>These are the browsers and programs signed in to your account. Sign out any you do not recognise.</p>
            <ul class="session-list">
              {props.sessions.map((session) => (
                <li class={session.current ? 'session current' : 'session'}>
                  <div class="session-device">
                    <strong>{session.device}</strong>
                    {session.current && <span class="session-current"> (this session)</span>}
                  </div>
                  <div class="session-times">
                    Last seen <DateTime date={session.lastSeenAt} />, signed in <DateTime date={session.createdAt} />
                  </div>
                  {!session.current && (
                    <form method="post" action={`/settings/sessions/${session.handle}/delete`}>
                      <button type="submit" class="btn btn-sm btn-outline-danger">
                        Sign out this session
                      </button>
                    </form>
                  )}
                </li>
              ))}
            </ul>
            {others.length > 0 && (
              <form method="post" action="/settings/sessions/others/delete">
                <button type="submit" class="btn btn-outline-danger">
                  Sign out everywhere else
                </button>
              </form>
            )}
            <p>
              <a href="/settings">Back to your settings</a>
            </p>
          </div>
        </div>
      </div>
    </div>
  );
}
