/**
 * `quire user list | role | suspend | unsuspend | delete | reset-link`: the operator's doors onto the account
 * use cases (./use-cases.ts), as CLI_CALLER: every act leaves an audit entry by "operator (CLI)".
 * src/cli.ts parses the command line and hands the subcommand here.
 */
import readline from 'node:readline';
import { CLI_CALLER, type Core, type FieldErrors } from '../core';
import { createPasswordResetLink } from '../account-links/password-reset';
import { OperationError } from '../ops/backup';
import { isOwner, isRole, ROLES, type Role } from '../roles/permissions';
import { PLACEHOLDER_USERNAME } from './queries';
import { NOT_A_DATE, parseIsoDate, ReasonSchema, ROLE_IN_A_SENTENCE } from './schemas';
import {
  changeRole,
  deleteUser,
  findAccountToDelete,
  formatUtc,
  listAccountsFor,
  suspendUser,
  transferOwnership,
  unsuspendUser,
} from './use-cases';

export const ACCOUNT_SUBCOMMANDS = ['list', 'role', 'suspend', 'unsuspend', 'delete', 'reset-link'] as const;
export type AccountSubcommand = (typeof ACCOUNT_SUBCOMMANDS)[number];
export const isAccountSubcommand = (sub: string | undefined): sub is AccountSubcommand =>
  (ACCOUNT_SUBCOMMANDS as readonly string[]).includes(sub ?? '');

/** What the operator gave: the words after the subcommand, and the flags. */
export type AccountCommandInput = {
  args: string[];
  flags: { role?: string | boolean; until?: string | boolean; reason?: string | boolean; 'keep-content'?: string | boolean; yes?: string | boolean };
  /** a usage mistake: src/cli.ts prints it with the pointer to --help and exits 2 */
  usage: (message: string) => Error;
  /** whether a person is at a terminal to confirm (standard input is one) */
  interactive: boolean;
  /** asks a question on the terminal and answers what was typed */
  ask?: (question: string) => Promise<string>;
};

/** Without --reason, what the suspension (and its audit entry) says. */
export const CLI_DEFAULT_REASON = 'No reason given (suspended by the operator).';

function firstError(errors: FieldErrors): string {
  const [name, messages] = Object.entries(errors)[0]!;
  const label = name === 'until' ? 'Until' : name === 'reason' ? 'Reason' : name === 'user' ? 'The account' : '';
  return `${label} ${messages[0]}`.trim();
}

function stringFlag(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Columns padded to their widest cell, two spaces apart. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n');
}

/**
 * Runs one subcommand and answers what to print on standard output. What was typed is checked
 * first: a usage mistake opens no database (and creates none).
 */
export async function runAccountCommand(
  withCore: <T>(work: (core: Core) => Promise<T>) => Promise<T>,
  sub: AccountSubcommand,
  input: AccountCommandInput,
): Promise<string> {
  const [name, ...rest] = input.args;
  if (sub === 'list') {
    const typed = input.flags.role;
    if (typed !== undefined && (typeof typed !== 'string' || !isRole(typed))) throw input.usage(`--role must be one of ${ROLES.join(', ')}`);
    const role = typed as Role | undefined;
    return withCore((core) => listAll(core, role));
  }
  if (!name) throw input.usage(`user ${sub} needs a USERNAME`);

  if (sub === 'role') {
    const role = rest[0];
    if (!role || !isRole(role)) throw input.usage(`user role needs a ROLE: one of ${ROLES.join(', ')}`);
    return withCore(async (core) => {
      if (isOwner(role)) {
        const { owner, previous } = await transferOwnership(core, CLI_CALLER, { username: name });
        return `${owner.username} is now the owner${previous ? `; ${previous.username} is now an admin` : ''}.\n`;
      }
      const change = await changeRole(core, CLI_CALLER, { username: name, role });
      return change.changed
        ? `${change.user.username} is now ${ROLE_IN_A_SENTENCE[change.to]} (was ${ROLE_IN_A_SENTENCE[change.from]}).\n`
        : `${change.user.username} is already ${ROLE_IN_A_SENTENCE[change.to]}: nothing changed.\n`;
    });
  }

  if (sub === 'suspend') {
    const typedUntil = input.flags.until;
    let until: Date | null = null;
    if (typedUntil !== undefined) {
      until = typeof typedUntil === 'string' ? parseIsoDate(typedUntil) : null;
      if (!until) throw input.usage(`--until ${NOT_A_DATE}`);
    }
    const reason = ReasonSchema.safeParse(stringFlag(input.flags.reason) ?? CLI_DEFAULT_REASON);
    if (!reason.success) throw input.usage(`--reason ${reason.error.issues[0]!.message}`);
    return withCore(async (core) => {
      const outcome = await suspendUser(core, CLI_CALLER, { username: name, until, reason: reason.data });
      if (!outcome.ok) throw new OperationError(firstError(outcome.errors));
      const { user } = outcome.value;
      return `${user.username} is suspended ${until ? `until ${formatUtc(until)}` : 'for good'}; their sessions have ended and their articles and comments are hidden.\n`;
    });
  }

  if (sub === 'reset-link') {
    return withCore(async (core) => {
      const { user, link, expiresAt } = await createPasswordResetLink(core, CLI_CALLER, { username: name });
      return `${link}\nA password-reset link for ${user.username}, valid once until ${formatUtc(expiresAt)}. Hand it over privately.\n`;
    });
  }

  if (sub === 'unsuspend') {
    return withCore(async (core) => {
      const outcome = await unsuspendUser(core, CLI_CALLER, { username: name });
      if (!outcome.ok) throw new OperationError(`${name} is not suspended.`);
      return `${outcome.value.user.username} is no longer suspended; their articles and comments are back.\n`;
    });
  }

  return withCore((core) => deleteAccount(core, name, input));
}

/** Every account (of one role), newest first, as a table. */
async function listAll(core: Core, role: Role | undefined): Promise<string> {
  const rows = [['NAME', 'EMAIL', 'ROLE', 'STATE', 'JOINED']];
  for (let page = 1; ; page++) {
    const list = await listAccountsFor(core, CLI_CALLER, { page, pageSize: 500, ...(role && { role }) });
    for (const account of list.accounts) {
      const state =
        account.suspendedAt === null ? 'active' : account.suspendedUntil ? `suspended until ${formatUtc(account.suspendedUntil)}` : 'suspended for good';
      rows.push([account.username, account.email, account.role, state, account.createdAt.toISOString().slice(0, 10)]);
    }
    if (page >= list.pages) break;
  }
  return rows.length === 1 ? 'No accounts.\n' : `${table(rows)}\n`;
}

/** Deletes an account, and its writing unless --keep-content; asks first unless --yes. */
async function deleteAccount(core: Core, name: string, input: AccountCommandInput): Promise<string> {
  const keepContent = input.flags['keep-content'] === true;
  const { user, articles, comments } = await findAccountToDelete(core, CLI_CALLER, name);
  const writing = `${articles} ${articles === 1 ? 'article' : 'articles'} and ${comments} ${comments === 1 ? 'comment' : 'comments'}`;
  if (input.flags.yes !== true) {
    if (!input.interactive || !input.ask) {
      throw new OperationError('user delete asks for confirmation on a terminal: run it on one, or add --yes.');
    }
    const answer = await input.ask(
      `Delete ${user.username} for good, ${keepContent ? `keeping their ${writing} under ${PLACEHOLDER_USERNAME}` : `with their ${writing}`}? Type the username to confirm: `,
    );
    if (answer.trim() !== user.username) throw new OperationError('Not confirmed: nothing was deleted.');
  }
  const deleted = await deleteUser(core, CLI_CALLER, { username: user.username, keepContent });
  return deleted.keptContent
    ? `Deleted ${deleted.username}; their ${writing} are kept under ${PLACEHOLDER_USERNAME}.\n`
    : `Deleted ${deleted.username} and their ${writing}.\n`;
}

/** A question on the terminal (standard error, so standard output stays the answer). */
export async function askOnTerminal(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}
