import type { IDataObject } from 'n8n-workflow';

import type { GraphqlError } from '../transport';

/**
 * The dossier with a `warnings` list naming each dossier-link champ whose linked dossier the token
 * cannot read (errors that isHiddenLinkError accepts, at paths under `recordPath`). The champ
 * itself keeps the linked number (`stringValue`), so the dossier is complete and nothing is lost.
 */
export function withHiddenLinkWarnings(
	dossier: IDataObject,
	errors: GraphqlError[],
	recordPath: Array<string | number>,
): IDataObject {
	if (!errors.length) return dossier;
	const warnings = errors.map((error) => {
		const steps = (error.path ?? []).slice(recordPath.length, -1);
		const champ = walk(dossier, steps);
		const kind = steps.includes('annotations') ? 'Annotation' : 'Champ';
		const label = typeof champ?.label === 'string' ? ` "${champ.label}"` : '';
		const number = champ?.stringValue ? ` ${String(champ.stringValue)}` : '';
		return `${kind}${label} links to dossier${number}, in a démarche this token cannot read: the champ gives its number, without the linked dossier's details. Use a token that also covers that démarche to get them.`;
	});
	return { ...dossier, warnings: [...((dossier.warnings as string[] | undefined) ?? []), ...warnings] };
}

function walk(value: unknown, steps: Array<string | number>): IDataObject | undefined {
	let current = value;
	for (const step of steps) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string | number, unknown>)[step];
	}
	return current && typeof current === 'object' ? (current as IDataObject) : undefined;
}
