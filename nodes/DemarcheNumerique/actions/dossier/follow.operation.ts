import { followOperation } from './toggles';

export const { description, execute } = followOperation(true);
