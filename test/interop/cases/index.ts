/** All differential cases, by area. */
import type { Case } from '../lib/differential.js';
import { cases as crud } from './crud.js';
import { cases as znodes } from './znodes.js';
import { cases as multi } from './multi.js';
import { cases as acl } from './acl.js';
import { cases as watches } from './watches.js';
import { cases as sessions, limitCases } from './sessions.js';
import { cases as misc } from './misc.js';

export const allCases: Case[] = [...crud, ...znodes, ...multi, ...acl, ...watches, ...sessions, ...limitCases, ...misc];
