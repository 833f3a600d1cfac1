export function AboutPage(props: { siteName: string; siteDescription: string; counts: { authors: number; articles: number } }) {
  return (
    <div class="container page about-page">
      <h1>About {props.siteName}</h1>
      <p class="lead">{props.siteDescription}</p>
      <p>
        {props.siteName} is a blog for many authors, run with Quire: a small self-hosted blogging platform. Anyone can
        sign up, write articles in Markdown with tags, comment, favorite articles and follow the authors they like.
      </p>
      <p>
        {props.counts.authors} {props.counts.authors === 1 ? 'person has' : 'people have'} written{' '}
        {props.counts.articles} {props.counts.articles === 1 ? 'article' : 'articles'} here so far.
      </p>
      <p>Every page works without JavaScript. Programs can read and write the same data through the JSON API under /api.</p>
    </div>
  );
}

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
