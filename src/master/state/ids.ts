/** Ids in Mesos' formats: `<master>-0000`, `<master>-S3`, `<master>-O17`. */
export class IdGenerator {
  #frameworks = 0;
  #agents = 0;
  #offers = 0;
  constructor(readonly masterId: string) {}
  frameworkId(): string {
    return `${this.masterId}-${String(this.#frameworks++).padStart(4, '0')}`;
  }
  agentId(): string {
    return `${this.masterId}-S${this.#agents++}`;
  }
  offerId(): string {
    return `${this.masterId}-O${this.#offers++}`;
  }
}
