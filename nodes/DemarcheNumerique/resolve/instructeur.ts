import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEMARCHE_GROUPES } from '../graphql';
import type { ExecutionCache } from './cache';
import { readOnce } from './cache';
import type { Profile } from './dossierContext';
import { getDossierContext } from './dossierContext';

interface GroupeWithInstructeurs {
	number: number;
	label: string;
	instructeurs: Profile[];
}

export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase();
}

/** The groupes of a démarche with their instructeurs, once per execution. */
export async function getDemarcheGroupes(
	ctx: IExecuteFunctions,
	cache: ExecutionCache,
	demarcheNumber: number,
	itemIndex?: number,
): Promise<GroupeWithInstructeurs[]> {
	const document = { ...DEMARCHE_GROUPES, variables: { number: demarcheNumber } };
	return await readOnce(ctx, cache, `groupes:${demarcheNumber}`, document, itemIndex, (data) =>
		((data?.demarche as { groupeInstructeurs?: GroupeWithInstructeurs[] } | null)?.groupeInstructeurs ?? []),
	);
}

/**
 * Turns an e-mail into the instructeur's global ID. The first item that names an e-mail reads its
 * dossier's instructeurs; the ID is then remembered for the whole execution (instructeur IDs are
 * global), so later items cost nothing. An e-mail that has no access to the dossier fails with
 * an error that says where that person is instructeur, if anywhere.
 */
export async function resolveInstructeurEmail(
	ctx: IExecuteFunctions,
	cache: ExecutionCache,
	email: string,
	dossierNumber: number,
	itemIndex: number,
): Promise<string> {
	const wanted = normalizeEmail(email);
	return await cache.get(`instructeur:${wanted}`, async () => {
		const context = await getDossierContext(ctx, cache, dossierNumber, itemIndex);
		const candidates = [...(context.groupeInstructeur?.instructeurs ?? []), ...(context.instructeurs ?? [])];
		const found = candidates.find((profile) => normalizeEmail(profile.email) === wanted);
		if (found) return found.id;
		const groupes = await getDemarcheGroupes(ctx, cache, context.demarche.number, itemIndex);
		const elsewhere = groupes.filter((g) =>
			(g.instructeurs ?? []).some((profile) => normalizeEmail(profile.email) === wanted),
		);
		const groupe = context.groupeInstructeur;
		throw new NodeOperationError(
			ctx.getNode(),
			`The instructeur ${email.trim()} has no access to dossier ${dossierNumber}`,
			{
				itemIndex,
				description: elsewhere.length
					? `They are instructeur of ${elsewhere.map((g) => `"${g.label}" (n° ${g.number})`).join(', ')}, but the dossier belongs to the groupe instructeur "${groupe?.label}" (n° ${groupe?.number}). Choose an instructeur of that groupe, add them to it (Groupe Instructeur → Add Instructeurs), or move the dossier.`
					: `No instructeur with this e-mail is in any groupe instructeur of démarche ${context.demarche.number}. Check the spelling, or add them to the groupe "${groupe?.label}" (n° ${groupe?.number}) first.`,
			},
		);
	});
}

/**
 * The acting instructeur's global ID from the `instructeur` resource locator: an ID is used as
 * is, an e-mail is resolved against the dossier (see resolveInstructeurEmail).
 */
export async function readInstructeurId(
	ctx: IExecuteFunctions,
	cache: ExecutionCache,
	itemIndex: number,
	dossierNumber: number,
): Promise<string> {
	const locator = ctx.getNodeParameter('instructeur', itemIndex) as { mode?: string; value?: unknown };
	const value = String(locator?.value ?? '').trim();
	if (!value) {
		throw new NodeOperationError(ctx.getNode(), 'No instructeur given', {
			itemIndex,
			description: 'The platform records which instructeur did the action: give their e-mail or ID.',
		});
	}
	// An e-mail typed in the ID mode is still an e-mail.
	if (locator.mode === 'email' || value.includes('@')) {
		return await resolveInstructeurEmail(ctx, cache, value, dossierNumber, itemIndex);
	}
	return value;
}
