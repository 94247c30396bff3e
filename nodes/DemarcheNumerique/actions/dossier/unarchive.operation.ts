import { archiveOperation } from './toggles';

export const { description, execute } = archiveOperation(false);
