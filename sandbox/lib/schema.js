'use strict';
/**
 * Builds the executable GraphQL schema: the hand-written SDL (sandbox/schema/*.graphql) plus
 * resolvers over the store. Variants: fork mode (no `dossierModifierAnnotations`, as on
 * mes-démarches) and webhooks v2 (loads sandbox/schema/extensions/*.graphql).
 *
 * Mutations: `mutationResolvers` (from ./mutations.js) maps a Mutation field name to
 * `(args, ctx) => payload`; any Mutation field without one answers "not implemented in sandbox".
 */
const fs = require('fs');
const path = require('path');
const {
	parse,
	buildASTSchema,
	GraphQLError,
	Kind,
	isObjectType,
	isInterfaceType,
	isNonNullType,
	defaultFieldResolver,
	getNamedType,
} = require('graphql');
const { globalId, decodeGlobalId, formatDateTime, parseDateTime } = require('./util');
const { paginate, connectionOf, filterHashOf } = require('./pagination');
const { timeoutGuard, dossierSelection, timedConnection, loadingResolvers } = require('./timeouts');
const { isVisibleByAdministration, pendingKey } = require('./store');
const C = require('./catalog');

const SCHEMA_DIR = path.join(__dirname, '..', 'schema');
const MAX_INT = 2 ** 31 - 1;
/** `duree_conservation_dossiers_dans_ds` of every seeded démarche, in months. */
const RETENTION_MONTHS = 12;
const EXTENSIONS_DIR = path.join(SCHEMA_DIR, 'extensions');
/** What newer servers (schema-13a480b5.graphql) add to the 03-31 schema, for writes. */
const NEWER_DIR = path.join(SCHEMA_DIR, 'newer');

/** Types only the batch annotation mutation uses: forks have none of them. */
const FORK_REMOVED_TYPES = new Set([
	'DossierModifierAnnotationsInput',
	'DossierModifierAnnotationsPayload',
	'AnnotationInput',
	'AnnotationValueInput',
]);

function readSdl(dir) {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.graphql'))
		.sort()
		.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

function errorWithCode(message, code) {
	return new GraphQLError(message, { extensions: { code } });
}

const hidden = (typeName) =>
	errorWithCode(`An object of type ${typeName} was hidden due to permissions`, 'unauthorized');
const notFound = (typeName) => errorWithCode(`${typeName} not found`, 'not_found');

// --- champ typing (the platform's resolve_type, fragment-sensitive) ---------------------------

const CHAMP_TYPE = {
	text: 'TextChamp',
	textarea: 'TextChamp',
	email: 'TextChamp',
	phone: 'TextChamp',
	iban: 'TextChamp',
	formatted: 'TextChamp',
	number: 'TextChamp',
	checkbox: 'CheckboxChamp',
	date: 'DateChamp',
	integer_number: 'IntegerNumberChamp',
	decimal_number: 'DecimalNumberChamp',
	multiple_drop_down_list: 'MultipleDropDownListChamp',
	linked_drop_down_list: 'LinkedDropDownListChamp',
	piece_justificative: 'PieceJustificativeChamp',
	repetition: 'RepetitionChamp',
	carte: 'CarteChamp',
	siret: 'SiretChamp',
	rna: 'RNAChamp',
	rnf: 'RNFChamp',
	epci: 'EpciChamp',
	civilite: 'CiviliteChamp',
	dossier_link: 'DossierLinkChamp',
	engagement_juridique: 'EngagementJuridiqueChamp',
	titre_identite: 'TitreIdentiteChamp',
};
/** Types served only when the document has a fragment on them, else the fallback. */
const FRAGMENT_GATED = {
	address: ['AddressChamp', 'TextChamp'],
	communes: ['CommuneChamp', 'TextChamp'],
	departements: ['DepartementChamp', 'TextChamp'],
	regions: ['RegionChamp', 'TextChamp'],
	pays: ['PaysChamp', 'TextChamp'],
	drop_down_list: ['DropDownListChamp', 'TextChamp'],
	header_section: ['HeaderSectionChamp', 'TextChamp'],
	explication: ['ExplicationChamp', 'TextChamp'],
	yes_no: ['YesNoChamp', 'CheckboxChamp'],
	datetime: ['DatetimeChamp', 'DateChamp'],
};

function champTypeName(champ, ctx) {
	const gated = FRAGMENT_GATED[champ.kind];
	if (gated) return ctx.fragments.has(gated[0]) ? gated[0] : gated[1];
	return CHAMP_TYPE[champ.kind] || 'TextChamp';
}

/** Type names the document has a fragment on (inline or named), anywhere in the document. */
function fragmentTypeNames(document) {
	const names = new Set();
	const visit = (node) => {
		if (!node || typeof node !== 'object') return;
		if (
			(node.kind === Kind.INLINE_FRAGMENT || node.kind === Kind.FRAGMENT_DEFINITION) &&
			node.typeCondition
		)
			names.add(node.typeCondition.name.value);
		for (const value of Object.values(node)) {
			if (Array.isArray(value)) value.forEach(visit);
			else if (value && typeof value === 'object' && value.kind) visit(value);
		}
	};
	visit(document);
	return names;
}

const DESCRIPTOR_TYPE = {
	text: 'Text',
	textarea: 'Textarea',
	email: 'Email',
	phone: 'Phone',
	iban: 'Iban',
	number: 'Number',
	formatted: 'Formatted',
	date: 'Date',
	datetime: 'Datetime',
	checkbox: 'Checkbox',
	yes_no: 'YesNo',
	integer_number: 'IntegerNumber',
	decimal_number: 'DecimalNumber',
	drop_down_list: 'DropDownList',
	multiple_drop_down_list: 'MultipleDropDownList',
	linked_drop_down_list: 'LinkedDropDownList',
	piece_justificative: 'PieceJustificative',
	repetition: 'Repetition',
	carte: 'Carte',
	address: 'Address',
	communes: 'Commune',
	departements: 'Departement',
	regions: 'Region',
	pays: 'Pays',
	epci: 'Epci',
	siret: 'Siret',
	rna: 'RNA',
	rnf: 'RNF',
	civilite: 'Civilite',
	dossier_link: 'DossierLink',
	engagement_juridique: 'EngagementJuridique',
	titre_identite: 'TitreIdentite',
	header_section: 'HeaderSection',
	explication: 'Explication',
	annuaire_education: 'AnnuaireEducation',
	cojo: 'COJO',
	// Newer servers (schema 13a480b5): the API Particulier v1 types are gone, these came.
	aah: 'AAH',
	aeeh: 'AEEH',
	ars: 'ARS',
	etudiant_boursier: 'EtudiantBoursier',
	pre_rempli: 'PreRempli',
	quotient_familial: 'QuotientFamilial',
	referentiel: 'Referentiel',
};

// --- helpers over the store --------------------------------------------------------------------

function authorizedDemarche(ctx, demarcheNumber) {
	const scope = ctx.token.demarches;
	return scope === 'all' || scope.includes(demarcheNumber);
}

/** `Dossier.visible_by_administration.find(number)`, or null. */
function visibleDossier(ctx, number) {
	const record = ctx.store.getDossier(number);
	return record && isVisibleByAdministration(record) ? record : null;
}

const hasId = (args) => args.id !== undefined && args.id !== null && args.id !== '';
const byId = (list, id) =>
	id === undefined || id === null ? list : list.filter((x) => x.id === id);

function revisionObject(store, revisionId) {
	return store.revisions.get(revisionId);
}

/** The `dossiers` connection of a démarche or a groupe. */
function dossiersConnection(ctx, demarcheNumber, groupeNumber, args, info) {
	const { store } = ctx;
	const updatedSince =
		args.updatedSince !== undefined && args.updatedSince !== null
			? parseDateTime(args.updatedSince)
			: null;
	const createdSince =
		updatedSince === null && args.createdSince !== undefined && args.createdSince !== null
			? parseDateTime(args.createdSince)
			: null;
	const order = updatedSince !== null ? 'modified' : 'depot';
	const revisionNumber = (gid) => {
		const decoded = decodeGlobalId(gid);
		const revision = decoded && store.revisions.get(Number(decoded.id));
		if (!revision || revision.demarche !== demarcheNumber)
			throw errorWithCode('DossierConnection not found', 'not_found');
		return revision;
	};
	const revision = args.revision ? revisionNumber(args.revision) : null;
	const minRevision = !revision && args.minRevision ? revisionNumber(args.minRevision) : null;
	const maxRevision = !revision && args.maxRevision ? revisionNumber(args.maxRevision) : null;
	const { state, archived } = args;
	const hasArchived = archived !== undefined && archived !== null;
	const keyOf = order === 'modified' ? (r) => r.modifiedAt : (r) => r.depotAt;
	const since = order === 'modified' ? updatedSince : createdSince;
	const accept = (r) =>
		isVisibleByAdministration(r) &&
		(groupeNumber === null || r.groupe === groupeNumber) &&
		(!state || r.state === state) &&
		(!hasArchived || r.archived === archived) &&
		(!revision || r.revisionId === revision.id) &&
		(!minRevision || store.revisions.get(r.revisionId).dateCreation >= minRevision.dateCreation) &&
		(!maxRevision || store.revisions.get(r.revisionId).dateCreation <= maxRevision.dateCreation) &&
		(since === null || keyOf(r) >= since);
	const filterHash = filterHashOf(
		groupeNumber === null ? `demarche:${demarcheNumber}` : `groupe:${groupeNumber}`,
		{
			order,
			direction: args.order === 'DESC' ? 'desc' : undefined,
			state,
			archived: hasArchived ? archived : undefined,
			since: since === null ? undefined : since,
			revision: revision && revision.id,
			minRevision: minRevision && minRevision.id,
			maxRevision: maxRevision && maxRevision.id,
		},
	);
	const page = paginate(store.listFor(demarcheNumber, order), args, {
		keyOf,
		accept,
		filterHash,
		startKey: since === null ? undefined : since,
	});
	if (order === 'modified') {
		const served = store.lastServedModifiedAt;
		for (const r of page.items)
			if (!(r.modifiedAt <= (served.get(demarcheNumber) || 0)))
				served.set(demarcheNumber, r.modifiedAt);
	}
	return timedConnection(ctx, connectionOf(page), demarcheNumber, {
		rows: page.items,
		...dossierSelection(info),
	});
}

function deletedConnection(ctx, demarcheNumber, groupeNumber, args, pending) {
	const { store } = ctx;
	const since = args.deletedSince ? parseDateTime(args.deletedSince) : null;
	// A pending item is the Dossier itself (DeletedDossierType over a Dossier): id
	// `DeletedDossier-<number>`, dateSupression = the administration's hide or else the usager's,
	// ordered by the hide of the side that put it there; deletedSince matches either hide date.
	const list = pending
		? store.pendingDeletedFor(demarcheNumber).map((r) => ({
				id: r.number,
				number: r.number,
				groupe: r.groupe,
				state: r.state,
				reason: r.hiddenByReason,
				deletedAt: r.hiddenByAdministrationAt || r.hiddenByUserAt,
				key: pendingKey(r),
				hiddenByUserAt: r.hiddenByUserAt,
				hiddenByAdministrationAt: r.hiddenByAdministrationAt,
			}))
		: store.deletedFor(demarcheNumber);
	const keyOf = pending ? (d) => d.key : (d) => d.deletedAt;
	const hiddenSince = (d) =>
		(d.hiddenByUserAt !== null && d.hiddenByUserAt >= since) ||
		(d.hiddenByAdministrationAt !== null && d.hiddenByAdministrationAt >= since);
	const accept = (d) =>
		(groupeNumber === null || d.groupe === groupeNumber) &&
		(since === null || (pending ? hiddenSince(d) : d.deletedAt >= since));
	const filterHash = filterHashOf(
		`${pending ? 'pending' : 'deleted'}:${groupeNumber === null ? demarcheNumber : 'g' + groupeNumber}`,
		{ since: since === null ? undefined : since },
	);
	const page = paginate(list, args, {
		keyOf,
		accept,
		filterHash,
		// deletedSince bounds the order key of deletedDossiers only (a pending item may match by its other hide).
		startKey: since === null || pending ? undefined : since,
	});
	// A deletion list has no parts to preload: its cost is its SQL, paid when the page loads.
	return timedConnection(ctx, connectionOf(page), demarcheNumber, {
		rows: page.items,
		weight: 1,
		preload: true,
	});
}

// --- resolvers ---------------------------------------------------------------------------------

const fmt = (key) => (source) => formatDateTime(source[key]);

function buildResolvers(mutationResolvers) {
	const demarcheFields = {
		id: (d) => globalId('Procedure', d.number),
		activeRevision: (d, _a, ctx) => revisionObject(ctx.store, d.activeRevisionId),
		draftRevision: (d, _a, ctx) => revisionObject(ctx.store, d.activeRevisionId),
		publishedRevision: (d, _a, ctx) => revisionObject(ctx.store, d.activeRevisionId),
		revisions: (d, _a, ctx) => d.revisionIds.map((id) => revisionObject(ctx.store, id)),
		champDescriptors: (d, _a, ctx) => revisionObject(ctx.store, d.activeRevisionId).champs,
		annotationDescriptors: (d, _a, ctx) =>
			revisionObject(ctx.store, d.activeRevisionId).annotations,
		dateCreation: fmt('dateCreation'),
		datePublication: fmt('datePublication'),
		dateDerniereModification: fmt('dateDerniereModification'),
		dateDepublication: () => null,
		dateFermeture: () => null,
		groupeInstructeurs: (d, args, ctx) =>
			d.groupeNumbers
				.map((n) => ctx.store.groupes.get(n))
				.filter(
					(g) => args.closed === undefined || args.closed === null || g.closed === args.closed,
				),
		labels: (d, _a, ctx) => d.labelIds.map((id) => ctx.store.labels.get(id)),
		dossiers: (d, args, ctx, info) => dossiersConnection(ctx, d.number, null, args, info),
		deletedDossiers: (d, args, ctx) => deletedConnection(ctx, d.number, null, args, false),
		pendingDeletedDossiers: (d, args, ctx) => deletedConnection(ctx, d.number, null, args, true),
	};
	const descriptorObject = (demarche, revision) => ({ demarche, revision });
	const descriptorFields = {
		id: (o) => globalId('Procedure', o.demarche.number),
		number: (o) => o.demarche.number,
		title: (o) => o.demarche.title,
		description: (o) => o.demarche.description,
		state: (o) => o.demarche.state,
		declarative: (o) => o.demarche.declarative,
		forIndividual: (o) => o.demarche.forIndividual,
		service: (o) => o.demarche.service,
		revision: (o) => o.revision,
		dateCreation: (o) => formatDateTime(o.demarche.dateCreation),
		datePublication: (o) => formatDateTime(o.demarche.datePublication),
		dateDerniereModification: (o) => formatDateTime(o.demarche.dateDerniereModification),
		dateDepublication: () => null,
		dateFermeture: () => null,
		dureeConservationDossiers: () => RETENTION_MONTHS,
		opendata: () => true,
		tags: () => [],
		zones: () => [],
		demarcheURL: (o, _a, ctx) => `${ctx.publicBaseUrl}/commencer/demarche-${o.demarche.number}`,
		cadreJuridiqueURL: () => 'https://www.legifrance.gouv.fr/',
		dpoURL: () => null,
		siteWebURL: () => null,
		noticeURL: () => null,
		logo: () => null,
		notice: () => null,
	};
	const groupeFields = {
		id: (g) => globalId('GroupeInstructeur', g.number),
		instructeurs: (g, _a, ctx) => g.instructeurIds.map((id) => instructeurProfile(ctx.store, id)),
		dossiers: (g, args, ctx, info) => dossiersConnection(ctx, g.demarche, g.number, args, info),
		deletedDossiers: (g, args, ctx) => deletedConnection(ctx, g.demarche, g.number, args, false),
		pendingDeletedDossiers: (g, args, ctx) =>
			deletedConnection(ctx, g.demarche, g.number, args, true),
	};
	const file = {
		url: (f, _a, ctx) => ctx.files.url(f),
		checksum: (f, _a, ctx) => ctx.files.checksum(f),
		// Int! (32-bit): capped at 2^31 − 1 since PR #13527 (an overflow error before); byteSizeBigInt is exact.
		byteSize: (f) => Math.min(f.byteSize, MAX_INT),
		byteSizeBigInt: (f) => String(f.byteSize),
		createdAt: (f) => formatDateTime(f.createdAt),
		virusScanResult: () => 'safe',
	};
	const dossierFile = (kind) => (r, _a, ctx) => {
		const name = {
			pdf: `dossier-${r.number}.pdf`,
			geojson: `dossier-${r.number}.geojson`,
			attestation: `attestation-dossier-${r.number}.pdf`,
			motivation: `motivation-dossier-${r.number}.pdf`,
		}[kind];
		const contentType = kind === 'geojson' ? 'application/geo+json' : 'application/pdf';
		if (kind === 'geojson' && !ctx.store.content(r).hasCarte) return null;
		if (kind === 'attestation' && r.state !== 'accepte') return null;
		// A justificatif uploaded with the decision (mutations) is served with its own bytes.
		if (kind === 'motivation' && r.justificatif) return r.justificatif;
		if (kind === 'motivation' && !(r.traitementAt && r.number % 4 === 0)) return null;
		const size = 1200 + (r.number % 700) + r.version;
		return {
			key: `${kind}${r.number}v${r.version}-${size}`,
			filename: name,
			contentType,
			byteSize: size,
			createdAt: r.traitementAt || r.modifiedAt,
		};
	};
	const dossierFields = {
		id: (r) => globalId('Dossier', r.number),
		number: (r) => r.number,
		state: (r) => r.state,
		archived: (r) => r.archived,
		prefilled: (r) => r.prefilled,
		connectionUsager: () => 'password',
		dateDepot: fmt('depotAt'),
		datePassageEnConstruction: fmt('constructionAt'),
		datePassageEnInstruction: fmt('instructionAt'),
		dateTraitement: fmt('traitementAt'),
		dateDerniereModification: fmt('modifiedAt'),
		dateDerniereModificationChamps: fmt('champsModifiedAt'),
		dateDerniereModificationAnnotations: fmt('annotationsModifiedAt'),
		// expired_at (Dossier#expiration_date): none while en_instruction; else from the last
		// en_construction_at or processed_at, plus the démarche's retention (12 months here).
		dateExpiration: (r) => {
			if (r.state === 'en_instruction') return null;
			const from = new Date(r.state === 'en_construction' ? r.constructionAt : r.traitementAt);
			from.setUTCMonth(from.getUTCMonth() + RETENTION_MONTHS);
			return formatDateTime(from.getTime());
		},
		dateSuppressionParUsager: fmt('hiddenByUserAt'),
		dateSuppressionParAdministration: fmt('hiddenByAdministrationAt'),
		dateDerniereCorrectionEnAttente: (r) =>
			r.pendingCorrection ? formatDateTime(r.pendingCorrection.at) : null,
		datePrevisionnelleDecisionSVASVR: () => null,
		dateTraitementSVASVR: () => null,
		deposeParUnTiers: () => false,
		nomMandataire: () => null,
		prenomMandataire: () => null,
		motivation: (r) => r.motivation,
		usager: (r, _a, ctx) => {
			const u = ctx.store.content(r).usager;
			return { id: u.id, email: u.email };
		},
		demandeur: (r, _a, ctx) => ctx.store.content(r).demandeur,
		demarche: (r, _a, ctx) =>
			descriptorObject(
				ctx.store.demarches.get(r.demarche),
				revisionObject(ctx.store, r.revisionId),
			),
		revision: (r, _a, ctx) => revisionObject(ctx.store, r.revisionId),
		groupeInstructeur: (r, _a, ctx) => ctx.store.groupes.get(r.groupe),
		instructeurs: (r, _a, ctx) => r.followerIds.map((id) => instructeurProfile(ctx.store, id)),
		labels: (r, _a, ctx) => r.labelIds.map((id) => ctx.store.labels.get(id)),
		// Without id the visible champs; with an id any projected champ, visible or not.
		champs: (r, args, ctx) =>
			hasId(args) ? byId(ctx.store.content(r).allChamps, args.id) : ctx.store.content(r).champs,
		annotations: (r, args, ctx) =>
			hasId(args)
				? byId(ctx.store.content(r).allAnnotations, args.id)
				: ctx.store.content(r).annotations,
		messages: (r, args, ctx) => byId(ctx.store.content(r).messages, args.id),
		avis: (r, args, ctx) => byId(ctx.store.content(r).avis, args.id),
		traitements: (r) =>
			r.traitements.map((t, i) => ({ ...t, id: globalId('Traitement', r.number * 100 + i) })),
		pdf: dossierFile('pdf'),
		geojson: dossierFile('geojson'),
		attestation: dossierFile('attestation'),
		motivationAttachment: dossierFile('motivation'),
	};
	const champCommon = {
		value: (c) => c.stringValue,
	};
	const resolvers = {
		Query: {
			demarche: (_s, { number }, ctx) => {
				const d = ctx.store.demarches.get(number);
				if (!d) throw notFound('Demarche');
				if (!authorizedDemarche(ctx, number)) throw hidden('Demarche');
				return d;
			},
			dossier: (_s, { number }, ctx) => {
				const r = visibleDossier(ctx, number);
				if (!r) throw notFound('Dossier');
				if (!authorizedDemarche(ctx, r.demarche)) throw hidden('Dossier');
				return r;
			},
			groupeInstructeur: (_s, { number }, ctx) => {
				const g = ctx.store.groupes.get(number);
				// The not-found name is the field's type (schema.rb rescue_from: field.type.unwrap).
				if (!g) throw notFound('GroupeInstructeurWithDossiers');
				if (!authorizedDemarche(ctx, g.demarche)) throw hidden('GroupeInstructeurWithDossiers');
				return g;
			},
			demarcheDescriptor: (_s, { demarche: find }, ctx) => {
				let number = find.number;
				if (find.id !== undefined && find.id !== null) {
					const decoded = decodeGlobalId(find.id);
					number = decoded && decoded.type === 'Procedure' ? Number(decoded.id) : NaN;
				}
				const d = ctx.store.demarches.get(number);
				if (!d) throw notFound('DemarcheDescriptor');
				// Descriptors of published démarches are open data: any valid token may read them.
				return descriptorObject(d, revisionObject(ctx.store, d.activeRevisionId));
			},
			// Query fields of schema/extensions (webhooks v2), from part 2.
			...require('./mutations').queryResolvers,
		},
		Demarche: demarcheFields,
		DemarcheDescriptor: descriptorFields,
		GroupeInstructeur: { id: groupeFields.id, instructeurs: groupeFields.instructeurs },
		GroupeInstructeurWithDossiers: groupeFields,
		Label: { id: (l) => globalId('Label', l.id) },
		Revision: {
			id: (rev) => rev.gid,
			champDescriptors: (rev) => rev.champs,
			annotationDescriptors: (rev) => rev.annotations,
			dateCreation: fmt('dateCreation'),
			datePublication: fmt('datePublication'),
		},
		Dossier: dossierFields,
		File: file,
		Message: {
			createdAt: fmt('createdAt'),
			discardedAt: fmt('discardedAt'),
			attachment: (m) => m.attachments[0] || null,
			correction: (m) =>
				m.correction && {
					reason: m.correction.reason,
					dateResolution: formatDateTime(m.correction.dateResolution),
				},
		},
		Avis: { dateQuestion: fmt('dateQuestion'), dateReponse: fmt('dateReponse') },
		Traitement: {
			dateTraitement: fmt('at'),
			emailAgentTraitant: (t) => t.email,
			revision: () => null,
		},
		DeletedDossier: {
			id: (d) => globalId('DeletedDossier', d.id),
			dateSupression: fmt('deletedAt'),
		},
		Demandeur: { __resolveType: (d) => d.__typename },
		GeoArea: {
			__resolveType: (a) =>
				a.source === 'cadastre' ? 'ParcelleCadastrale' : 'SelectionUtilisateur',
		},
		Champ: { __resolveType: (c, ctx) => champTypeName(c, ctx) },
		Column: { __resolveType: (c) => c.__typename },
		ChampDescriptor: {
			__resolveType: (d) => `${DESCRIPTOR_TYPE[d.type] || 'Text'}ChampDescriptor`,
		},
		TextChamp: champCommon,
		DropDownListChamp: champCommon,
		CheckboxChamp: { value: (c) => c.bool === true },
		YesNoChamp: { value: (c) => c.bool },
		IntegerNumberChamp: { value: (c) => c.integer },
		DecimalNumberChamp: { value: (c) => c.decimal },
		CiviliteChamp: { value: (c) => c.civilite },
		DateChamp: {
			value: (c) =>
				c.datetime || (c.date ? formatDateTime(Date.parse(`${c.date}T00:00:00Z`) - 3600000) : null),
		},
		PieceJustificativeChamp: { file: (c) => c.files[0] || null },
		RepetitionChamp: { champs: (c) => c.rows.flatMap((row) => row.champs) },
		DossierLinkChamp: {
			// Loaders::Dossier: a dossier the administration cannot see is plain null; one in a
			// démarche outside the token is null too, with DossierType.authorized? adding an
			// `unauthorized` error at this champ's path (the rest of the answer intact).
			dossier: (c, _a, ctx) => {
				const r = c.dossierNumber ? visibleDossier(ctx, c.dossierNumber) : null;
				if (!r) return null;
				if (!authorizedDemarche(ctx, r.demarche)) throw hidden('Dossier');
				return r;
			},
		},
		Mutation: mutationResolvers,
		// Connections load their page on first read, where a heavy page spends its time (timeouts.js).
		...loadingResolvers(),
	};
	// Descriptors: uniform fields for every ChampDescriptor type.
	const descriptor = {
		id: (d) => {
			if (!d.gid) d.gid = globalId('Champ', d.stableId);
			return d.gid;
		},
		type: (d) => d.type,
		required: (d) => Boolean(d.required),
		champDescriptors: (d) => (d.type === 'repetition' ? d.children : null),
		options: (d) => {
			if (d.type === 'departements')
				return Object.entries(C.DEPARTEMENTS).map(([code, x]) => ({ code, name: x.name }));
			if (d.type === 'regions')
				return Object.entries(C.REGIONS).map(([code, name]) => ({ code, name }));
			if (d.type === 'pays') return C.PAYS;
			return d.options || null;
		},
		otherOption: (d) => Boolean(d.otherOption),
		level: (d) => d.level || 1,
		collapsibleExplanationEnabled: () => false,
		collapsibleExplanationText: () => null,
		fileTemplate: () => null,
	};
	return { resolvers, descriptor };
}

/** A champ's columns: one typed cell, several for an address; none for layout and repetition champs. */
function columnsOf(champ) {
	if (['repetition', 'titre_identite', 'header_section', 'explication'].includes(champ.kind))
		return [];
	const id = (suffix) =>
		globalId('Column', `${champ.champDescriptorId}${suffix ? `/${suffix}` : ''}`);
	const cell = (
		__typename,
		value,
		suffix,
		label = champ.label,
		stringValue = champ.stringValue,
	) => ({ __typename, id: id(suffix), label, stringValue, value });
	switch (champ.kind) {
		case 'integer_number':
			return [cell('IntegerColumn', champ.integer)];
		case 'decimal_number':
			return [cell('DecimalColumn', champ.decimal)];
		case 'date':
			return [cell('DateColumn', champ.date)];
		case 'datetime':
			return [cell('DateTimeColumn', champ.datetime)];
		case 'checkbox':
		case 'yes_no':
			return [cell('BooleanColumn', champ.bool)];
		case 'drop_down_list':
			return [cell('EnumColumn', champ.stringValue)];
		case 'multiple_drop_down_list':
			return [cell('EnumsColumn', champ.values)];
		case 'piece_justificative':
			return [cell('AttachmentsColumn', champ.files)];
		case 'address': {
			const a = champ.address;
			return [
				cell('TextColumn', champ.stringValue),
				cell(
					'TextColumn',
					a ? a.postalCode : null,
					'postal_code',
					`${champ.label} – Code postal`,
					a ? a.postalCode : null,
				),
				cell(
					'TextColumn',
					a ? a.cityName : null,
					'city_name',
					`${champ.label} – Commune`,
					a ? a.cityName : null,
				),
				cell(
					'TextColumn',
					a ? a.departmentName : null,
					'departement',
					`${champ.label} – Département`,
					a ? a.departmentName : null,
				),
			];
		}
		default:
			return [cell('TextColumn', champ.stringValue)];
	}
}

function instructeurProfile(store, id) {
	const i = store.instructeurs.get(id);
	return { id: globalId('Instructeur', i.id), email: i.email };
}

/** Wraps the non-null fields of Dossier and DeletedDossier so the "invalid_null" fault can break one record. */
function invalidNullable(resolve) {
	return (source, args, ctx, info) => {
		if (
			ctx.fault &&
			ctx.fault.kind === 'invalid_null' &&
			Number(ctx.fault.dossier) === source.number
		)
			return null;
		return resolve(source, args, ctx, info);
	};
}

/**
 * A mutation argument naming nothing: `loads:` runs inside the mutation field, so the platform's
 * rescue_from names the field's type, the payload: `DossierAccepterPayload not found`.
 */
function payloadNotFound(impl, payloadTypeName) {
	return (_s, args, ctx, info) => {
		try {
			return impl(args, ctx, info);
		} catch (e) {
			if (e instanceof GraphQLError && e.extensions && e.extensions.code === 'not_found')
				throw errorWithCode(`${payloadTypeName} not found`, 'not_found');
			throw e;
		}
	};
}

const READ_ONLY_MESSAGE = 'Le jeton utilisé est configuré seulement en lecture';

/**
 * Every mutation needs a read-write token (base_mutation.rb#ready?): the platform answers in the
 * payload's `errors`. createDirectUpload has no `errors`: a top-level `unauthorized` error since
 * PR #13547; before it (`olderServer`) a null upload, hence `invalid_null` on its non-null field.
 */
function readOnlyGuard(resolve, payloadHasErrors) {
	return (source, args, ctx, info) => {
		if (!ctx.token.write) {
			if (payloadHasErrors) return { errors: [{ message: READ_ONLY_MESSAGE }] };
			if (ctx.sandbox && ctx.sandbox.modes.olderServer) return {};
			throw new GraphQLError(READ_ONLY_MESSAGE, { extensions: { code: 'unauthorized' } });
		}
		return resolve(source, args, ctx, info);
	};
}

/**
 * `Date.iso8601` as graphql-ruby's ISO8601Date uses it: calendar (`2024-05-01`, `20240501`), week
 * (`2024-W18-3`, `2024W183`) and ordinal (`2024-122`, `2024122`) dates, and date-times whose time
 * is dropped. @returns {string | null} `YYYY-MM-DD`
 */
function iso8601Date(value) {
	if (typeof value !== 'string') return null;
	const text = value.trim().split(/[T\s]/)[0];
	const pad = (n) => String(n).padStart(2, '0');
	const calendar = (y, m, d) => {
		const date = new Date(Date.UTC(y, m - 1, d));
		if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
		return `${y}-${pad(m)}-${pad(d)}`;
	};
	const fromUtc = (ms) => {
		const date = new Date(ms);
		return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
	};
	let m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
	if (m) return calendar(Number(m[1]), Number(m[2]), Number(m[3]));
	m = /^(\d{4})-?W(\d{2})-?([1-7])$/.exec(text);
	if (m) {
		const year = Number(m[1]);
		const jan4 = Date.UTC(year, 0, 4);
		const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86400000;
		const week = Number(m[2]);
		if (week < 1 || week > 53) return null;
		return fromUtc(mondayOfWeek1 + ((week - 1) * 7 + Number(m[3]) - 1) * 86400000);
	}
	m = /^(\d{4})-?(\d{3})$/.exec(text);
	if (m) {
		const year = Number(m[1]);
		const day = Number(m[2]);
		const days = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / 86400000;
		if (day < 1 || day > days) return null;
		return fromUtc(Date.UTC(year, 0, 1) + (day - 1) * 86400000);
	}
	return null;
}

/** Input coercion of the platform's custom scalars: invalid values are rejected, not ignored. */
const SCALAR_COERCION = {
	ISO8601DateTime: (v) =>
		typeof v === 'string' && /^\d{4}-\d\d-\d\d/.test(v) && !Number.isNaN(Date.parse(v)) ? v : undefined,
	ISO8601Date: (v) => iso8601Date(v) ?? undefined,
	BigInt: (v) => ((typeof v === 'string' && /^-?\d+$/.test(v)) || Number.isInteger(v) ? v : undefined),
};

function configureScalars(schema) {
	for (const [name, coerce] of Object.entries(SCALAR_COERCION)) {
		const scalar = schema.getType(name);
		if (!scalar) continue;
		scalar.parseValue = (value) => {
			const coerced = coerce(value);
			if (coerced === undefined) throw new TypeError(`${JSON.stringify(value)} is not a valid ${name}`);
			return coerced;
		};
		scalar.parseLiteral = (ast) => {
			const value = ast.kind === Kind.INT ? Number(ast.value) : ast.value;
			const coerced = ast.kind === Kind.STRING || ast.kind === Kind.INT ? coerce(value) : undefined;
			if (coerced === undefined)
				throw new TypeError(
					`${ast.value === undefined ? ast.kind : JSON.stringify(ast.value)} is not a valid ${name}`,
				);
			return coerced;
		};
	}
}

function attachResolvers(schema, mutationResolvers) {
	const { resolvers, descriptor } = buildResolvers(mutationResolvers);
	configureScalars(schema);
	for (const type of Object.values(schema.getTypeMap())) {
		if (type.name.startsWith('__')) continue;
		const typeResolvers = resolvers[type.name] || {};
		if (isInterfaceType(type) && typeResolvers.__resolveType)
			type.resolveType = typeResolvers.__resolveType;
		if (!isObjectType(type)) continue;
		const isDescriptor = type.name.endsWith('ChampDescriptor');
		for (const field of Object.values(type.getFields())) {
			let resolve = typeResolvers[field.name] || (isDescriptor && descriptor[field.name]) || null;
			if (
				!resolve &&
				field.name === 'columns' &&
				type.getInterfaces().some((i) => i.name === 'Champ')
			)
				resolve = columnsOf;
			if (type.name === 'Mutation' && !resolve) {
				resolve = () => {
					throw new GraphQLError(`${field.name} is not implemented in sandbox`, {
						extensions: { code: 'not_implemented' },
					});
				};
			} else if (type.name === 'Mutation') {
				resolve = payloadNotFound(resolve, getNamedType(field.type).name);
			}
			if (type.name === 'Mutation')
				resolve = readOnlyGuard(
					resolve,
					Boolean(field.type.getFields && field.type.getFields().errors),
				);
			if ((type.name === 'Dossier' || type.name === 'DeletedDossier') && isNonNullType(field.type))
				resolve = invalidNullable(resolve || defaultFieldResolver);
			// Every field checks the (deterministic) deadline before it starts, as graphql-ruby's Timeout.
			field.resolve = timeoutGuard(resolve || defaultFieldResolver);
		}
	}
	return schema;
}

const schemaCache = new Map();

/**
 * @param {{forkMode?: boolean, webhooksV2?: boolean, olderServer?: boolean, mutationResolvers?: object}} options
 *   olderServer: without `schema/newer/` (the AnnotationValueInput keys of PR #13561)
 * @returns {import('graphql').GraphQLSchema}
 */
function getSchema({ forkMode = false, webhooksV2 = false, olderServer = false, mutationResolvers } = {}) {
	const key = `${forkMode}|${webhooksV2}|${olderServer}`;
	if (schemaCache.has(key)) return schemaCache.get(key);
	const sources = [
		...readSdl(SCHEMA_DIR),
		...(forkMode || olderServer ? [] : readSdl(NEWER_DIR)),
		...(webhooksV2 ? readSdl(EXTENSIONS_DIR) : []),
	];
	let document = parse(sources.join('\n'));
	if (forkMode) {
		document = {
			...document,
			definitions: document.definitions
				.filter((def) => !(def.name && FORK_REMOVED_TYPES.has(def.name.value)))
				.map((def) =>
					def.kind === Kind.OBJECT_TYPE_DEFINITION && def.name.value === 'Mutation'
						? {
								...def,
								fields: def.fields.filter((f) => f.name.value !== 'dossierModifierAnnotations'),
							}
						: def,
				),
		};
	}
	const resolversForMutations = mutationResolvers || require('./mutations').mutationResolvers;
	const schema = attachResolvers(buildASTSchema(document), resolversForMutations);
	schemaCache.set(key, schema);
	return schema;
}

module.exports = {
	getSchema,
	iso8601Date,
	fragmentTypeNames,
	champTypeName,
	errorWithCode,
	authorizedDemarche,
	visibleDossier,
	FRAGMENT_GATED,
};
