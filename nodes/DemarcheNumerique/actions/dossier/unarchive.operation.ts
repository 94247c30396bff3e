import { archiveOperation } from './pairedOperations';

export const { description, execute } = archiveOperation(false);
