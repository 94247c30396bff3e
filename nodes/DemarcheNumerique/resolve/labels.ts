import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEMARCHE_LABELS } from '../graphql/mutations';
import type { ExecutionCache } from './cache';
import { readOnce } from './cache';
import { isGlobalIdOf } from './globalIds';

export interface Label {
	id: string;
	name: string;
}

/** Finds a label by exact name, then ignoring case and spaces; undefined when none or ambiguous. */
export function findLabel(labels: Label[], name: string): Label | undefined {
	const exact = labels.filter((label) => label.name === name);
	if (exact.length === 1) return exact[0];
	const wanted = name.trim().toLowerCase();
	const loose = labels.filter((label) => label.name.trim().toLowerCase() === wanted);
	return loose.length === 1 ? loose[0] : undefined;
}

export async function getDemarcheLabels(
	ctx: IExecuteFunctions,
	cache: ExecutionCache,
	demarcheNumber: number,
	itemIndex?: number,
): Promise<Label[]> {
	const document = { ...DEMARCHE_LABELS, variables: { number: demarcheNumber } };
	return await readOnce(ctx, cache, `labels:${demarcheNumber}`, document, itemIndex, (data) =>
		((data?.demarche as { labels?: Label[] } | null)?.labels ?? []),
	);
}

/**
 * A label ID from a label name or ID. A name is looked up in the démarche's labels (read once per
 * execution); no match is an error listing the labels that exist.
 */
export async function resolveLabelId(
	ctx: IExecuteFunctions,
	cache: ExecutionCache,
	labelOrId: string,
	demarcheNumber: number,
	itemIndex: number,
): Promise<string> {
	const value = String(labelOrId ?? '').trim();
	if (!value) {
		throw new NodeOperationError(ctx.getNode(), 'No label given', {
			itemIndex,
			description: 'Give the label\'s name as shown in the démarche, or its ID.',
		});
	}
	if (isGlobalIdOf(value, 'Label')) return value;
	const number = demarcheNumber;
	const labels = await getDemarcheLabels(ctx, cache, number, itemIndex);
	const found = findLabel(labels, value);
	if (found) return found.id;
	throw new NodeOperationError(ctx.getNode(), `The démarche ${number} has no label "${value}"`, {
		itemIndex,
		description: labels.length
			? `Its labels are: ${labels.map((label) => `"${label.name}"`).join(', ')}. Labels are created by the démarche's administrateurs.`
			: 'This démarche has no labels yet. An administrateur creates them in the démarche\'s settings.',
	});
}
