// A richer CRM schema: every part of the schema.ts subset.
export type Role = 'Admin' | 'Manager' | 'Sales' | 'Support' | 'Viewer'

/** Whole numbers. */
export type Int = number

/** Where a deal stands. */
export type Stage = 'Lead' | 'Qualified' | 'Won' | 'Lost'

/** @plural People */
export interface Person {
  id: string
  /** @unique @format email @pii personal */
  email: string
  /** @pii personal @minLength 1 @maxLength 120 */
  name: string
}

export interface Company {
  id: string
  /** @unique */
  name: string
  /** @format url */
  website?: string
  /** @oneOf ['Software', 'Retail', 'Other'] */
  industry?: string | null
}

/**
 * A sales opportunity.
 * Owned by one person.
 */
export interface Deal {
  id: string
  createdAt: Date
  /**
   * What the deal is about.
   * @minLength 1
   * @formerly name
   */
  title: string
  /** @default 'Lead' */
  stage: Stage
  /** @min 0 @max 10000000 */
  amount?: number
  /** @default 1 @min 0 */
  seats: Int
  owner?: Person
  company?: Company
  /** @date */
  closesOn?: string
  /** @text */
  summary?: string
  tags: string[]
  history?: Array<Stage>
  /** @pattern ^[A-Z]{2}-[0-9]+$ */
  code?: string
  extra?: unknown
  won?: boolean
  notes: Block[]
}

export type Block =
  | { type: 'Paragraph'; /** @text */ text: string }
  | CallLog

/** A call, logged. */
export interface CallLog {
  type: 'CallLog'
  at: Date
  summary: string
  minutes?: Int
}

export const access = {
  Deal: {
    read: () => true,
    create: ({ role }) => role !== 'Viewer',
    update: ({ role, user, record }: { role: Role; user: Person; record: Deal }) =>
      role === 'Admin' || role === 'Manager' || (user.id !== null && record.owner === user.id),
    delete: (ctx) => {
      return ctx.role === 'Admin'
    },
  },
  Person: {
    read: ({ role }) => (role === 'Viewer' ? ['id', 'name'] : true),
    update: false,
  },
}

export const actions = {
  Deal: {
    created: ['welcome'],
    updated: [
      { action: 'notifyOwner', when: ChangedAny(['stage', 'amount']) },
      { action: 'celebrate', when: All([FieldEquals('stage', 'Won'), Any([ChangedAny(['stage'])])]) },
    ],
    deleted: ['archive'],
  },
  Company: [
    { on: 'updated', action: 'reindex' },
    { on: 'created', action: 'enrich', when: FieldEquals('industry', null) },
  ],
}
