import { labelOperation } from './toggles';

export const { description, execute } = labelOperation(false);
