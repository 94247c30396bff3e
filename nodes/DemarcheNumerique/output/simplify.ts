import type { IDataObject } from 'n8n-workflow';

import type { RawChamp, RawFile } from '../graphql';
import type { ChampDescriptor, DescriptorIndex } from '../resolve/descriptors';
import { booleanOrNull, decimalOrText, integerOrText, isAbsent, uniqueKeys } from './values';

/**
 * How champs and annotations are keyed: by label (as the form shows them; a repeated label gets
 * " (2)", " (3)"…) or by their stable champ ID (the descriptor's ID, unchanged when an
 * administrateur rewords the label).
 */
export type KeyBy = 'label' | 'id';

export interface SimplifyOptions {
	keyBy?: KeyBy;
}

/** A file as the simplified dossier shows it. */
interface SimpleFile {
	filename: string;
	contentType: string;
	byteSize: number | string | null;
	checksum: string;
	url: string;
}

/** Champ types that carry no value (layout only): left out of simplified champs. */
const LAYOUT_TYPES = new Set(['HeaderSectionChamp', 'ExplicationChamp']);

/** Types the platform uses as fallbacks when a document lacks a fragment on the real type. */
const FALLBACK_TYPES = new Set(['TextChamp', 'CheckboxChamp', 'DateChamp']);

/** Every concrete Champ type this module turns into a typed value. */
const KNOWN_CHAMP_TYPES = new Set([
	'TextChamp',
	'DateChamp',
	'DatetimeChamp',
	'CheckboxChamp',
	'YesNoChamp',
	'IntegerNumberChamp',
	'DecimalNumberChamp',
	'DropDownListChamp',
	'MultipleDropDownListChamp',
	'LinkedDropDownListChamp',
	'PieceJustificativeChamp',
	'RepetitionChamp',
	'CarteChamp',
	'AddressChamp',
	'CommuneChamp',
	'DepartementChamp',
	'RegionChamp',
	'PaysChamp',
	'EpciChamp',
	'SiretChamp',
	'RNAChamp',
	'RNFChamp',
	'CiviliteChamp',
	'DossierLinkChamp',
	'EngagementJuridiqueChamp',
	'TitreIdentiteChamp',
	'HeaderSectionChamp',
	'ExplicationChamp',
]);

/** Drops null/undefined fields and `__typename`, keeping the rest as is. */
function compact(object: unknown): IDataObject | null {
	if (!object || typeof object !== 'object') return null;
	const out: IDataObject = {};
	for (const [key, value] of Object.entries(object as IDataObject)) {
		if (key === '__typename' || value === null || value === undefined) continue;
		out[key] = value;
	}
	return out;
}

function simplifyFile(file: RawFile): SimpleFile {
	return {
		filename: String(file.filename ?? ''),
		contentType: String(file.contentType ?? ''),
		byteSize: integerOrText(file.byteSizeBigInt ?? file.byteSize),
		checksum: String(file.checksum ?? ''),
		url: String(file.url ?? ''),
	};
}

function files(list: unknown): SimpleFile[] {
	return Array.isArray(list) ? (list as RawFile[]).filter(Boolean).map(simplifyFile) : [];
}

function namedPlace(place: unknown): IDataObject | null {
	const p = place as { name?: string; code?: string } | null;
	return p ? { code: p.code ?? null, name: p.name ?? null } : null;
}

/** Commune and its département as one flat object. */
function communeValue(champ: RawChamp): IDataObject | null {
	const commune = champ.commune as { name?: string; code?: string; postalCode?: string } | null;
	if (!commune) return isAbsent(champ.stringValue) ? null : { name: champ.stringValue ?? null };
	const departement = champ.departement as { name?: string; code?: string } | null;
	return compact({
		name: commune.name,
		code: commune.code,
		postalCode: commune.postalCode,
		departementCode: departement?.code,
		departementName: departement?.name,
	});
}

function addressValue(champ: RawChamp): IDataObject | null {
	const address = champ.address as IDataObject | null;
	if (address) return compact(address);
	// A foreign or hand-typed address has no structured form: keep what the usager wrote.
	return isAbsent(champ.stringValue) ? null : { label: champ.stringValue ?? null };
}

/** SIRET établissement (or a demandeur personne morale) as one flat object. */
function etablissementValue(etablissement: unknown): IDataObject | null {
	const e = etablissement as IDataObject | null;
	if (!e) return null;
	const entreprise = (e.entreprise ?? {}) as IDataObject;
	const association = e.association as IDataObject | null;
	const address = e.address as IDataObject | null;
	return compact({
		siret: e.siret,
		siegeSocial: e.siegeSocial,
		naf: e.naf,
		libelleNaf: e.libelleNaf,
		siren: entreprise.siren,
		raisonSociale: entreprise.raisonSociale,
		nomCommercial: entreprise.nomCommercial,
		formeJuridique: entreprise.formeJuridique,
		formeJuridiqueCode: entreprise.formeJuridiqueCode,
		etatAdministratif: entreprise.etatAdministratif,
		dateCreation: entreprise.dateCreation,
		capitalSocial:
			entreprise.capitalSocial === undefined ? undefined : integerOrText(entreprise.capitalSocial),
		numeroTvaIntracommunautaire: entreprise.numeroTvaIntracommunautaire,
		address: address ? compact(address) : undefined,
		association: association ? compact(association) : undefined,
	});
}

function registryValue(record: unknown, champ: RawChamp, key: 'rna' | 'rnf'): IDataObject | null {
	const r = record as { id?: string; title?: string; address?: IDataObject | null } | null;
	if (!r) return isAbsent(champ.stringValue) ? null : { [key]: champ.stringValue ?? null };
	const commune = champ.commune as IDataObject | null;
	return compact({
		[key]: r.id,
		title: r.title,
		address: r.address ? compact(r.address) : undefined,
		commune: commune ? compact(commune) : undefined,
	});
}

function geoAreas(list: unknown): IDataObject[] {
	if (!Array.isArray(list)) return [];
	return (list as IDataObject[]).filter(Boolean).map((area) => compact(area) as IDataObject);
}

/**
 * The typed value of a champ of a known type. Typenames come from the query's fragments, so they
 * are the real types; the descriptor only decides when the type is unknown or a fallback.
 */
function typedValue(champ: RawChamp, descriptors?: DescriptorIndex, options: SimplifyOptions = {}): unknown {
	switch (champ.__typename) {
		case 'TextChamp':
			return champ.value ?? null;
		case 'DateChamp':
			return champ.date ?? null;
		case 'DatetimeChamp':
			return champ.datetime ?? null;
		case 'CheckboxChamp':
			return booleanOrNull(champ.checked) ?? false;
		case 'YesNoChamp':
			return booleanOrNull(champ.selected);
		case 'IntegerNumberChamp':
			return integerOrText(champ.integerNumber);
		case 'DecimalNumberChamp':
			return decimalOrText(champ.decimalNumber);
		case 'DropDownListChamp':
			return champ.choice ?? null;
		case 'MultipleDropDownListChamp':
			return Array.isArray(champ.values) ? champ.values : [];
		case 'LinkedDropDownListChamp':
			if (isAbsent(champ.primaryValue) && isAbsent(champ.secondaryValue)) return null;
			return { primary: champ.primaryValue ?? null, secondary: champ.secondaryValue ?? null };
		case 'CiviliteChamp':
			return champ.civilite ?? null;
		case 'PieceJustificativeChamp':
			return files(champ.files);
		case 'RepetitionChamp':
			return (Array.isArray(champ.rows) ? (champ.rows as IDataObject[]) : []).map((row) =>
				simplifyChamps((row?.champs ?? []) as RawChamp[], descriptors, options),
			);
		case 'CarteChamp':
			return geoAreas(champ.geoAreas);
		case 'AddressChamp':
			return addressValue(champ);
		case 'CommuneChamp':
			return communeValue(champ);
		case 'DepartementChamp':
			return namedPlace(champ.departement);
		case 'RegionChamp':
			return namedPlace(champ.region);
		case 'PaysChamp':
			return namedPlace(champ.pays);
		case 'EpciChamp': {
			const epci = namedPlace(champ.epci);
			const departement = champ.departement as { code?: string; name?: string } | null;
			return epci
				? compact({
						...epci,
						departementCode: departement?.code,
						departementName: departement?.name,
					})
				: null;
		}
		case 'SiretChamp':
			return (
				etablissementValue(champ.etablissement) ??
				(isAbsent(champ.stringValue) ? null : { siret: champ.stringValue })
			);
		case 'RNAChamp':
			return registryValue(champ.rna, champ, 'rna');
		case 'RNFChamp':
			return registryValue(champ.rnf, champ, 'rnf');
		case 'DossierLinkChamp': {
			const linked = champ.dossier as { number?: number } | null;
			return linked?.number ?? integerOrText(champ.stringValue);
		}
		case 'EngagementJuridiqueChamp': {
			const engagement = champ.engagementJuridique as IDataObject | null;
			if (!engagement) return null;
			return {
				montantEngage: decimalOrText(engagement.montantEngage),
				montantPaye: decimalOrText(engagement.montantPaye),
			};
		}
		case 'TitreIdentiteChamp':
			// The identity document itself is never served: say whether it was given, and how.
			return { filled: Boolean(champ.filled), grantType: champ.grantType ?? null };
		default:
			return champ.stringValue ?? null;
	}
}

/** Champ typename a descriptor stands for (`IntegerNumberChampDescriptor` → `IntegerNumberChamp`). */
function champTypeOfDescriptor(descriptor: ChampDescriptor | undefined): string | undefined {
	const typename = descriptor?.__typename;
	return typename ? typename.replace(/Descriptor$/, '') : undefined;
}

/**
 * Value of a champ whose typename does not tell its type (a fork's type, or a platform fallback):
 * the descriptor's type reads `stringValue` (or the fallback's own value) the right way.
 */
function valueFromDescriptor(champ: RawChamp, descriptor: ChampDescriptor | undefined): unknown {
	const type = champTypeOfDescriptor(descriptor);
	const text = champ.stringValue ?? null;
	switch (type) {
		case 'IntegerNumberChamp':
			return integerOrText(champ.integerNumber ?? text);
		case 'DecimalNumberChamp':
		case 'NumberChamp':
			return decimalOrText(champ.decimalNumber ?? text);
		case 'CheckboxChamp':
			return booleanOrNull(champ.checked ?? text) ?? false;
		case 'YesNoChamp':
			// A yes/no served as a checkbox loses "unanswered": stringValue still has it.
			return isAbsent(text) ? null : booleanOrNull(champ.checked ?? text);
		case 'MultipleDropDownListChamp':
			if (Array.isArray(champ.values)) return champ.values;
			return isAbsent(text) ? [] : String(text).split(/,\s*/);
		case 'DatetimeChamp':
			return champ.datetime ?? text;
		default:
			return undefined;
	}
}

/** True for champs whose value only their descriptor can type correctly. */
function needsDescriptor(champ: RawChamp): boolean {
	const typename = champ.__typename ?? '';
	if (!KNOWN_CHAMP_TYPES.has(typename)) return true;
	if (typename === 'RepetitionChamp') {
		return ((champ.rows ?? []) as IDataObject[]).some((row) =>
			((row?.champs ?? []) as RawChamp[]).some(needsDescriptor),
		);
	}
	return false;
}

/** The typed value of one champ (see the contract's simplified dossier). */
export function champValue(
	champ: RawChamp,
	descriptors?: DescriptorIndex,
	options: SimplifyOptions = {},
): unknown {
	const typename = champ.__typename ?? '';
	const descriptor = descriptors?.byId.get(String(champ.champDescriptorId ?? ''));
	if (!KNOWN_CHAMP_TYPES.has(typename) || (FALLBACK_TYPES.has(typename) && descriptor)) {
		const declared = champTypeOfDescriptor(descriptor);
		if (declared && declared !== typename) {
			const fromDescriptor = valueFromDescriptor(champ, descriptor);
			if (fromDescriptor !== undefined) return fromDescriptor;
		}
		if (!KNOWN_CHAMP_TYPES.has(typename)) return champ.stringValue ?? null;
	}
	return typedValue(champ, descriptors, options);
}

/** Whether a champ is layout only (section header, explanation), by its type or its descriptor. */
function isLayout(champ: RawChamp, descriptors?: DescriptorIndex): boolean {
	if (LAYOUT_TYPES.has(champ.__typename ?? '')) return true;
	const declared = champTypeOfDescriptor(
		descriptors?.byId.get(String(champ.champDescriptorId ?? '')),
	);
	return declared !== undefined && LAYOUT_TYPES.has(declared);
}

/**
 * The stable ID of a champ: its descriptor's ID (the same in every dossier and every row of a
 * repetition), else its own ID without a row suffix, else its label.
 */
function stableIdOf(champ: RawChamp): string {
	const descriptorId = String(champ.champDescriptorId ?? '');
	if (descriptorId) return descriptorId;
	const id = String(champ.id ?? '');
	return id ? id.split('|')[0] : String(champ.label ?? '');
}

/**
 * Champs (or annotations) as an object keyed by label (repeated labels numbered) or by stable
 * champ ID, each value typed.
 */
export function simplifyChamps(
	champs: RawChamp[] | null | undefined,
	descriptors?: DescriptorIndex,
	options: SimplifyOptions = {},
): IDataObject {
	const valued = (champs ?? []).filter((champ) => champ && !isLayout(champ, descriptors));
	const names =
		options.keyBy === 'id'
			? valued.map(stableIdOf)
			: valued.map((champ) => String(champ.label ?? ''));
	// IDs are unique in a form; uniqueKeys only guards against a malformed answer.
	const keys = uniqueKeys(names);
	const out: IDataObject = {};
	valued.forEach((champ, index) => {
		out[keys[index]] = champValue(champ, descriptors, options) as IDataObject[keyof IDataObject];
	});
	return out;
}

function demandeurValue(demandeur: unknown): IDataObject | null {
	const d = demandeur as IDataObject | null;
	if (!d) return null;
	if (d.__typename === 'PersonnePhysique') {
		return { type: 'personnePhysique', ...compact(d) };
	}
	if (d.__typename === 'PersonneMorale') {
		return { type: 'personneMorale', ...etablissementValue(d) };
	}
	return {
		type:
			d.__typename === 'PersonneMoraleIncomplete'
				? 'personneMorale'
				: String(d.__typename ?? 'unknown'),
		...compact(d),
	};
}

function simplifyMessage(message: IDataObject): IDataObject {
	return compact({
		id: message.id,
		email: message.email,
		body: message.body,
		createdAt: message.createdAt,
		discardedAt: message.discardedAt,
		correction: message.correction ? compact(message.correction) : undefined,
		attachments: files(message.attachments),
	}) as IDataObject;
}

function simplifyAvis(avis: IDataObject): IDataObject {
	return compact({
		id: avis.id,
		question: avis.question,
		reponse: avis.reponse,
		questionLabel: avis.questionLabel,
		questionAnswer: avis.questionAnswer,
		dateQuestion: avis.dateQuestion,
		dateReponse: avis.dateReponse,
		claimant: (avis.claimant as IDataObject | null)?.email,
		expert: (avis.expert as IDataObject | null)?.email,
		attachments: files(avis.attachments),
	}) as IDataObject;
}

const optionalFile = (file: unknown) => (file ? simplifyFile(file as RawFile) : null);

/**
 * The simplified dossier of the contract: flat, dates as ISO strings, champs and annotations keyed
 * by label (or, with `keyBy: 'id'`, by stable champ ID) with typed values. Parts the document did not ask for are left out, not shown empty.
 */
export function simplifyDossier(
	dossier: IDataObject,
	descriptors?: DescriptorIndex,
	options: SimplifyOptions = {},
): IDataObject {
	const demarche = (dossier.demarche ?? null) as IDataObject | null;
	const groupe = (dossier.groupeInstructeur ?? null) as IDataObject | null;
	const usager = (dossier.usager ?? null) as IDataObject | null;
	const out: IDataObject = {
		number: dossier.number ?? null,
		id: dossier.id ?? null,
		state: dossier.state ?? null,
		archived: dossier.archived ?? null,
		dateDepot: dossier.dateDepot ?? null,
		datePassageEnInstruction: dossier.datePassageEnInstruction ?? null,
		dateTraitement: dossier.dateTraitement ?? null,
		dateDerniereModification: dossier.dateDerniereModification ?? null,
		demarche: demarche ? { number: demarche.number ?? null, title: demarche.title ?? null } : null,
		groupeInstructeur: groupe
			? { number: groupe.number ?? null, label: groupe.label ?? null }
			: null,
		demandeur: demandeurValue(dossier.demandeur),
		usager: usager ? { email: usager.email ?? null } : null,
		motivation: dossier.motivation ?? null,
	};
	if ('labels' in dossier) {
		out.labels = ((dossier.labels ?? []) as IDataObject[]).map((label) => label.name as string);
	}
	if ('instructeurs' in dossier) {
		out.instructeurs = ((dossier.instructeurs ?? []) as IDataObject[]).map(
			(i) => i.email as string,
		);
	}
	if ('champs' in dossier) {
		out.champs = simplifyChamps(dossier.champs as RawChamp[], descriptors, options);
	}
	if ('annotations' in dossier) {
		out.annotations = simplifyChamps(dossier.annotations as RawChamp[], descriptors, options);
	}
	if ('messages' in dossier) {
		out.messages = ((dossier.messages ?? []) as IDataObject[]).map(simplifyMessage);
	}
	if ('avis' in dossier) out.avis = ((dossier.avis ?? []) as IDataObject[]).map(simplifyAvis);
	if ('traitements' in dossier) {
		out.traitements = ((dossier.traitements ?? []) as IDataObject[]).map(
			(t) => compact(t) as IDataObject,
		);
	}
	if ('attestation' in dossier) out.attestation = optionalFile(dossier.attestation);
	if ('motivationAttachment' in dossier)
		out.justificatif = optionalFile(dossier.motivationAttachment);
	if ('pdf' in dossier) out.pdf = optionalFile(dossier.pdf);
	// What the node could not read in full (a linked dossier the token cannot see), in plain words.
	if (Array.isArray(dossier.warnings) && dossier.warnings.length) out.warnings = dossier.warnings;
	return out;
}

/** Whether simplifying this dossier needs the démarche's descriptors (a champ of unknown type). */
export function dossierNeedsDescriptors(dossier: IDataObject): boolean {
	const lists = [dossier.champs, dossier.annotations] as Array<RawChamp[] | undefined>;
	return lists.some((list) => (list ?? []).some((champ) => champ && needsDescriptor(champ)));
}
