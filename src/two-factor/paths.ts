/** Where a session waiting for its second factor is sent after the password. */
export const TWO_FACTOR_LOGIN_PATH = '/login/two-factor';
/** Where the second factor is set up, seen and turned off. */
export const TWO_FACTOR_SETTINGS_PATH = '/settings/two-factor';
