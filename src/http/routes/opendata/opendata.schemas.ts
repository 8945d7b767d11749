import { Type } from 'typebox';

export const PublishedFileSchema = Type.Object({
  name: Type.String(),
  dataset: Type.String(),
  period: Type.String(),
  format: Type.Union([Type.Literal('csv'), Type.Literal('json')]),
  bytes: Type.Integer(),
  sha256: Type.String(),
  rows: Type.Integer(),
  licence: Type.Literal('CC-BY-4.0'),
  url: Type.String(),
});

export const CatalogueSchema = Type.Object({
  licence: Type.Object({ id: Type.String(), url: Type.String() }),
  files: Type.Array(PublishedFileSchema),
});

export const FileNameParams = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$' }),
});
export const RecordParams = Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9-]{1,60}\\.json$' }) });
export const ExportBody = Type.Object(
  { period: Type.String({ minLength: 7, maxLength: 10 }) },
  { additionalProperties: false },
);
