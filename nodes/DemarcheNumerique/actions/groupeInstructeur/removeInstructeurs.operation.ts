import { instructeursOperation } from './groupeMutation';

export const { description, execute } = instructeursOperation(false);
