/** `--yes`: every destructive command takes it the same way (asks on a terminal without it, refuses elsewhere). */
import { flag } from './spec.js';

export const yesOption = { yes: flag('-y, --yes', 'go ahead without asking') };
