import { createContext, useContext, useEffect } from 'react';
import type { FieldIssue } from '../api/client';

/**
 * What the form itself knows is wrong before anything is sent (JSON that does not parse, a
 * host name that cannot be one, a backend without an upstream): inputs report their issue by
 * JSON pointer, and Save refuses while any is open, naming them.
 */
export interface FormIssues {
  set(path: string, message: string | undefined): void;
  list(): FieldIssue[];
}

export function createFormIssues(): FormIssues {
  const open = new Map<string, string>();
  return {
    set(path, message) {
      if (message === undefined) open.delete(path);
      else open.set(path, message);
    },
    list: () => [...open].map(([path, message]) => ({ path, message })),
  };
}

export const FormIssuesContext = createContext<FormIssues | undefined>(undefined);

/** Reports `message` (undefined: none) for the field at `path` while the input is shown. */
export function useFieldIssue(path: string, message: string | undefined): void {
  const issues = useContext(FormIssuesContext);
  useEffect(() => {
    issues?.set(path, message);
    return () => issues?.set(path, undefined);
  }, [issues, path, message]);
}
