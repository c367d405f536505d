/** What answers carry in place of a stored secret; sent back, it keeps the stored value. */
export const SECRET_PLACEHOLDER = '<stored secret>';
