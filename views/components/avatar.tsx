export const DEFAULT_AVATAR = '/default-avatar.svg';

/** A user's image URL is output byte for byte; no image means the default avatar. */
export function avatarSrc(image: string | null | undefined): string {
  return image ? image : DEFAULT_AVATAR;
}

export function Avatar(props: { image: string | null | undefined; class?: string; alt?: string }) {
  return <img src={avatarSrc(props.image)} class={props.class} alt={props.alt ?? ''} width="32" height="32" />;
}
