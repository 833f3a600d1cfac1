/** Validation messages in RealWorld's wording; forms prefix them with the field's label. */
export const BLANK = "can't be blank";
export const TAKEN = 'has already been taken';
export const tooLong = (max: number) => `is too long (maximum is ${max} characters)`;
export const tooShort = (min: number) => `is too short (minimum is ${min} characters)`;
