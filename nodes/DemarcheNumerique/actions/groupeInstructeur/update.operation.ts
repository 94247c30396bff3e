import type { INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OperationModule } from '../common/types';

// PLACEHOLDER: being implemented; replaced by the real operation.
export const description: INodeProperties[] = [];

export const execute: OperationModule['execute'] = async function (itemIndex) {
	throw new NodeOperationError(this.getNode(), 'groupeInstructeur.update is not implemented yet', { itemIndex });
};
