import { labelOperation } from './pairedOperations';

export const { description, execute } = labelOperation(true);
