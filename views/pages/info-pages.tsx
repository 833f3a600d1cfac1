export function ErrorPage(props: {
  status: number;
  heading: string;
  message: string;
  detail?: string;
  requestId?: string;
}) {
  return (
    <div class="container page error-page">
      <h1>{props.heading}</h1>
      <p>{props.message}</p>
      {props.detail && <p class="error-detail">{props.detail}</p>}
      {props.requestId && (
        <p class="request-id">
          Request id: <code>{props.requestId}</code>
        </p>
      )}
      <p>
        <a href="/">Back to the home page</a>
      </p>
    </div>
  );
}
