import fs from 'node:fs';
import readline from 'node:readline';
import { hashPassword } from './auth/password';
import { weakPasswordMessage } from './auth/password-strength';
import { invalidateUserSessions } from './auth/session';
import { openDatabase, openSqlite } from './db/client';
import { EnvError, loadEnv, type Env } from './env';
import { backupDatabase, OperationError, restoreDatabase } from './ops/backup';
import { appVersion, defaultCacheDir, prepareRuntime } from './runtime';
import { serve } from './serve';
import { createUser, findUserByUsername, isEmailTaken, isUsernameTaken, updateUser } from './users/queries';
import { EmailSchema, PasswordSchema, UsernameSchema } from './users/schemas';

const HELP = `Quire: a self-hosted blog in one executable.

Usage: quire [command] [options]

Commands:
  serve                          Run the site (the default when no command is given).
  migrate                        Apply database migrations, then exit.
  backup FILE                    Write a consistent, verified copy of the live database to FILE
                                 while the site keeps serving, and print its size.
  restore FILE                   Put a verified backup in place of the database, keeping the old
                                 file beside it. Refuses while the site is running.
  user create --username NAME --email ADDRESS
                                 Create a user. The password is read from standard input, or
                                 asked for on a terminal.
  user reset-password NAME       Set a new password (read the same way) and end every session of
                                 that user.

Options:
  --env-file FILE                Read environment variables from FILE first (KEY=value lines).
  -v, --version                  Print the version.
  -h, --help                     Print this help.

Configuration comes from the environment, as for the server: DATABASE_PATH, PORT, HOST,
PUBLIC_URL, BACKUP_DIR... See .env.example or docs/deploy.md.`;

class UsageError extends Error {}

type Parsed = { positional: string[]; flags: Map<string, string | true> };

function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') flags.set('help', true);
    else if (arg === '-v' || arg === '--version') flags.set('version', true);
    else if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else positional.push(arg);
  }
  return { positional, flags };
}

function flag(parsed: Parsed, name: string): string {
  const value = parsed.flags.get(name);
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A password from standard input (first line), or typed at a terminal without echo. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const text = fs.readFileSync(0, 'utf8');
    return text.split(/\r?\n/)[0] ?? '';
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const output = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write(prompt);
  output._writeToOutput = () => {}; // no echo
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

async function validPassword(env: Env, password: string, context: string[]): Promise<string> {
  const parsed = PasswordSchema.safeParse(password);
  if (!parsed.success) throw new OperationError(`Password ${parsed.error.issues[0]!.message}`);
  const weak = await weakPasswordMessage(password, context, env.BLOCK_COMMON_PASSWORDS);
  if (weak) throw new OperationError(`Password ${weak}`);
  return password;
}

function openForCommand(env: Env) {
  prepareRuntime(env.QUIRE_CACHE_DIR ?? defaultCacheDir(env.DATABASE_PATH));
  return openDatabase(env.DATABASE_PATH);
}

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function run(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed.flags.has('help')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (parsed.flags.has('version')) {
    process.stdout.write(`quire ${appVersion()}\n`);
    return 0;
  }
  const envFile = parsed.flags.get('env-file');
  if (typeof envFile === 'string') {
    if (!fs.existsSync(envFile)) throw new UsageError(`--env-file ${envFile} does not exist`);
    process.loadEnvFile(envFile);
  }
  const env = loadEnv();
  const [command = 'serve', ...rest] = parsed.positional;

  switch (command) {
    case 'serve':
      await serve(env);
      return -1; // keeps running until a signal
    case 'migrate': {
      const db = openForCommand(env);
      db.$client.close();
      say(`Migrations applied to ${env.DATABASE_PATH}.`);
      return 0;
    }
    case 'backup': {
      const file = rest[0];
      if (!file) throw new UsageError('backup needs a FILE to write');
      prepareRuntime(env.QUIRE_CACHE_DIR ?? defaultCacheDir(env.DATABASE_PATH));
      if (!fs.existsSync(env.DATABASE_PATH)) throw new OperationError(`There is no database at ${env.DATABASE_PATH}`);
      const source = openSqlite(env.DATABASE_PATH, { fileMustExist: true });
      // the site may be writing: wait for its locks rather than fail
      source.pragma('busy_timeout = 5000');
      let lastPercent = -1;
      try {
        const bytes = await backupDatabase(source, file, (done, total) => {
          const percent = total ? Math.floor((done / total) * 100) : 100;
          if (percent >= lastPercent + 10 || percent === 100) {
            lastPercent = percent;
            say(`Backing up... ${percent}%`);
          }
        });
        process.stdout.write(`Backup written to ${file} (${formatBytes(bytes)}, ${bytes} bytes), integrity check ok.\n`);
      } finally {
        source.close();
      }
      return 0;
    }
    case 'restore': {
      const file = rest[0];
      if (!file) throw new UsageError('restore needs the backup FILE to restore');
      prepareRuntime(env.QUIRE_CACHE_DIR ?? defaultCacheDir(env.DATABASE_PATH));
      say(`Checking ${file}...`);
      const { keptAs } = restoreDatabase(env.DATABASE_PATH, file);
      process.stdout.write(`Restored ${file} to ${env.DATABASE_PATH}.${keptAs ? ` The previous database is kept as ${keptAs}.` : ''}\n`);
      return 0;
    }
    case 'user':
      return userCommand(env, rest, parsed);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function userCommand(env: Env, args: string[], parsed: Parsed): Promise<number> {
  const [sub, name] = args;
  if (sub === 'create') {
    const username = UsernameSchema.safeParse(flag(parsed, 'username'));
    if (!username.success) throw new OperationError(`Username ${username.error.issues[0]!.message}`);
    const email = EmailSchema.safeParse(flag(parsed, 'email'));
    if (!email.success) throw new OperationError(`Email ${email.error.issues[0]!.message}`);
    const db = openForCommand(env);
    try {
      if (isUsernameTaken(db, username.data)) throw new OperationError('Username has already been taken');
      if (isEmailTaken(db, email.data)) throw new OperationError('Email has already been taken');
      const password = await validPassword(env, await readPassword('Password: '), [username.data, email.data]);
      const user = createUser(db, { username: username.data, email: email.data, passwordHash: await hashPassword(password) }, Date.now());
      process.stdout.write(`Created user ${user.username} (id ${user.id}).\n`);
    } finally {
      db.$client.close();
    }
    return 0;
  }
  if (sub === 'reset-password') {
    if (!name) throw new UsageError('user reset-password needs a USERNAME');
    const db = openForCommand(env);
    try {
      const user = findUserByUsername(db, name);
      if (!user) throw new OperationError(`There is no user named ${name}`);
      const password = await validPassword(env, await readPassword(`New password for ${user.username}: `), [user.username, user.email]);
      updateUser(db, user.id, { passwordHash: await hashPassword(password) }, Date.now());
      invalidateUserSessions(db, user.id);
      process.stdout.write(`Password changed for ${user.username}; every session of theirs has ended.\n`);
    } finally {
      db.$client.close();
    }
    return 0;
  }
  throw new UsageError('user needs a subcommand: create or reset-password');
}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      say(`quire: ${error.message}\nRun "quire --help" for the commands.`);
      process.exit(2);
    }
    if (error instanceof EnvError || error instanceof OperationError || (error as Error).name === 'DatabaseTooNewError') {
      say(`quire: ${(error as Error).message}`);
      process.exit(1);
    }
    say(`quire: unexpected error: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
