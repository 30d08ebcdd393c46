import type { ModuleDef } from '../src/module/types.js';
import user from './user.js';
import group from './group.js';
import serviceFacts from './service_facts.js';
import packageFacts from './package_facts.js';

/** The system modules (accounts and the host's services and packages as facts), listed in index.ts in this order. */
export const SYS_MODULES: readonly ModuleDef[] = [user, group, serviceFacts, packageFacts] as readonly ModuleDef[];
