/** Only an article's author may edit or delete it. */
export function canEditArticle(user: { id: number } | null, article: { author: { id: number } }): boolean {
  return user !== null && user.id === article.author.id;
}

/** Only a comment's author may delete it. */
export function canDeleteComment(user: { id: number } | null, comment: { author: { id: number } }): boolean {
  return user !== null && user.id === comment.author.id;
}
