import { createContext, useContext } from 'react';
import type { WhoAmI } from './api/admin-types';

/** The signed-in key's role, from `GET /whoami`; every page reads it to decide what is editable. */
export const WhoAmIContext = createContext<WhoAmI>({ name: '', role: 'viewer' });

export function useWhoAmI(): WhoAmI {
  return useContext(WhoAmIContext);
}
