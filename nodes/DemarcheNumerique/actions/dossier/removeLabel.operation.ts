import { labelOperation } from './pairedOperations';

export const { description, execute } = labelOperation(false);
