/** A mistake in how the command was called (unknown flag, bad value, missing argument): the CLI exits 2, as kubectl does. */
export class UsageError extends Error {}
