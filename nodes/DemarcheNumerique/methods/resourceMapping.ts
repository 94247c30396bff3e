import type { ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { locatorText } from '../actions/common/locators';
import { ExecutionCache } from '../resolve/cache';
import { resolveDemarcheNumber } from '../resolve/demarche';
import { annotationColumns, champColumns } from '../resolve/columns';
import type { DescriptorIndex } from '../resolve/descriptors';
import { getDescriptors } from '../resolve/descriptors';
import { getAnnotationValueKeys } from '../resolve/capabilities';

/** The démarche picked in the node (its number; a public link resolved), or a message that asks for it. */
async function pickedDemarche(ctx: ILoadOptionsFunctions): Promise<number> {
	const locator = ctx.getNodeParameter('demarche', undefined) as unknown;
	if (!locatorText(locator)) {
		throw new NodeOperationError(ctx.getNode(), 'Pick a démarche first: its form gives the columns', {
			level: 'warning',
			description: 'Enter the démarche\'s number or paste its URL in "Démarche"; the columns follow it.',
		});
	}
	return await resolveDemarcheNumber(ctx, locator);
}

async function formOf(ctx: ILoadOptionsFunctions, cache: ExecutionCache): Promise<DescriptorIndex> {
	const demarcheNumber = await pickedDemarche(ctx);
	const index = await getDescriptors(ctx, cache, demarcheNumber);
	if (!index.revisionId) {
		throw new NodeOperationError(ctx.getNode(), `Démarche ${demarcheNumber} has no form this token can read`, {
			level: 'warning',
			description: 'Check the démarche number and that the credential\'s token gives access to it.',
		});
	}
	return index;
}

/** Update Annotations: the démarche's private annotations, typed. */
export async function getAnnotationColumns(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const cache = new ExecutionCache();
	const { annotations } = await formOf(this, cache);
	const serverKeys = await getAnnotationValueKeys(this, cache).catch(() => undefined);
	return { fields: annotationColumns(annotations, serverKeys) };
}

/** Create Prefilled: the démarche's champs, typed; the ones the platform cannot prefill read-only. */
export async function getChampColumns(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const { champs } = await formOf(this, new ExecutionCache());
	return { fields: champColumns(champs) };
}
