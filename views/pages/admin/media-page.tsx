/** /admin/media: recent uploads, where each is shown, and a way to remove one everywhere. */
import type { ListedUpload, MediaUse } from '../../../src/media/admin-queries';
import { formatBytes, MEDIA_PATH_PREFIX, variantName, variantWidths } from '../../../src/media/names';
import { DateTime } from '../../components/date';
import { AdminLayout, AdminPager, type AdminSection } from './admin-layout';

/** The smallest copy the page can show: the 480 px WebP, or the original when it is narrower. */
export const thumbnailOf = (upload: Pick<ListedUpload, 'key' | 'width' | 'height' | 'type' | 'url'>) =>
  variantWidths(upload).includes(480) ? `${MEDIA_PATH_PREFIX}${variantName(upload, 480)}` : upload.url;

export const removeImagePath = (key: string) => `/admin/media/${key}/remove`;


export function Uses(props: { uses: MediaUse[] }) {
  if (props.uses.length === 0) return <span class="admin-details">Not shown anywhere (removed after the grace period)</span>;
  return (
    <ul class="admin-uses">
      {props.uses.map((use) => (
        <li>
          {use.kind === 'article' ? (
            <>
              Article <a href={`/article/${encodeURIComponent(use.slug)}`}>{use.title}</a>
            </>
          ) : use.kind === 'profile' ? (
            <>
              Avatar of <a href={`/profile/${encodeURIComponent(use.username)}`}>{use.username}</a>
            </>
          ) : (
            <>
              Page <a href={`/${encodeURIComponent(use.slug)}`}>{use.title}</a>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

export function Thumbnail(props: { upload: ListedUpload }) {
  const { upload } = props;
  const width = Math.min(160, upload.width);
  return (
    <img src={thumbnailOf(upload)} width={width} height={Math.max(1, Math.round((upload.height * width) / upload.width))} alt={`Image ${upload.key}`} loading="lazy" decoding="async" />
  );
}

export function AdminMediaPage(props: { allowed: readonly AdminSection[]; uploads: ListedUpload[]; page: number; pages: number; article?: string | undefined }) {
  const query = (page: number) => `/admin/media?${new URLSearchParams({ ...(props.article && { article: props.article }), page: String(page) })}`;
  return (
    <AdminLayout current="/admin/media" heading="Images" allowed={props.allowed}>
      {props.article !== undefined && (
        <p>
          Images shown by the article <a href={`/article/${encodeURIComponent(props.article)}`}>{props.article}</a>. <a href="/admin/media">All images</a>
        </p>
      )}
      {props.uploads.length === 0 ? (
        <p>No image here.</p>
      ) : (
        <table class="admin-table">
          <thead>
            <tr>
              <th scope="col">Image</th>
              <th scope="col">Uploaded by</th>
              <th scope="col">Size</th>
              <th scope="col">Shown in</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {props.uploads.map((upload) => (
              <tr id={`image-${upload.key}`}>
                <td>
                  <a href={upload.url}>
                    <Thumbnail upload={upload} />
                  </a>
                  <div class="admin-details">
                    {upload.width} × {upload.height} {upload.type.toUpperCase()}
                  </div>
                </td>
                <td>
                  {upload.owner ?? 'a deleted account'}
                  <div class="admin-details">
                    <DateTime date={upload.createdAt} />
                  </div>
                </td>
                <td>{formatBytes(upload.bytes)}</td>
                <td>
                  <Uses uses={upload.uses} />
                </td>
                <td>
                  <a class="btn btn-sm btn-outline-danger" href={removeImagePath(upload.key)}>
                    Remove <span class="visually-hidden">image {upload.key}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AdminPager page={props.page} pages={props.pages} href={query} />
    </AdminLayout>
  );
}
