import type { TestDatabase } from './test-db.js';

type Database = TestDatabase['db'];

/**
 * Records what the services send to the database: the SQL of each statement (BEGIN and COMMIT are not
 * statements of theirs) and how many transactions they open. Pass `wrap` as the harness's `servicesDb`.
 */
export class StatementLog {
  statements: string[] = [];
  transactions = 0;

  readonly wrap = (db: Database): Database => {
    const observed = db.withPlugin({
      transformQuery: (args) => {
        this.statements.push(db.getExecutor().compileQuery(args.node, args.queryId).sql);
        return args.node;
      },
      transformResult: (args) => Promise.resolve(args.result),
    });
    const transaction = observed.transaction.bind(observed);
    observed.transaction = () => {
      this.transactions += 1;
      return transaction();
    };
    return observed;
  };

  clear(): void {
    this.statements = [];
    this.transactions = 0;
  }

  /** The statements that mention `text` (case-insensitive). */
  mentioning(text: string): string[] {
    return this.statements.filter((s) => s.toLowerCase().includes(text.toLowerCase()));
  }
}
