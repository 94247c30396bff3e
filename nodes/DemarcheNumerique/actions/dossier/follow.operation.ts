import { followOperation } from './pairedOperations';

export const { description, execute } = followOperation(true);
