/** One problem with a document: a JSON pointer into it and what is wrong there. */
export interface ValidationIssue {
  path: string;
  message: string;
}
