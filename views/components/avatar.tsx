const DEFAULT_AVATAR = '/default-avatar.svg';

/** A user's image URL is output byte for byte; no image means the default avatar. */
function avatarSrc(image: string | null | undefined): string {
  return image ? image : DEFAULT_AVATAR;
}

/** A size on every avatar keeps its place on the page even when the image cannot load (pages.md). */
export function Avatar(props: { image: string | null | undefined; size: number; class?: string; alt?: string }) {
  return <img src={avatarSrc(props.image)} class={props.class} alt={props.alt ?? ''} width={props.size} height={props.size} />;
}
