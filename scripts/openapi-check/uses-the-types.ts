// Compiled by scripts/check-openapi.sh with `tsc --strict` against the types openapi-typescript
// generated from openapi.yaml: a website's client must be able to use the document as it is.
import type { components, operations, paths } from "./generated/api";

type Schemas = components["schemas"];

const callback: Schemas["CallbackRequestBody"] = {
  name: "Jane Runner",
  phone: "+1 416-555-0100",
  email: "jane@example.com",
  preferred_time: "morning",
  consents: {
    appointment_reminders: true,
    exercise_plans: true,
    plans_of_care: false,
    service_updates: false,
  },
};

// A phone consult names a phone number.
const booking: Schemas["BookingRequestBody"] = {
  practitioner_id: "0192f5e4-0000-7000-8000-000000000000",
  starts_at: "2026-12-01T14:30:00-05:00",
  mode: "phone",
  patient: { name: "Jane Runner", email: "jane@example.com", phone: "416-555-0100" },
  consents: callback.consents,
};

type SearchQuery = NonNullable<operations["search_practitioners"]["parameters"]["query"]>;
const near: SearchQuery["location"] = { near: "43.65,-79.38" };
const byCity: SearchQuery["location"] = { city: "Toronto" };

type Created = paths["/v1/bookings"]["post"]["responses"][201]["content"]["application/json"];
export function describe(created: Created): string {
  return `${created.id} ${created.status} ${created.starts_at}`;
}

export const examples = [callback, booking, near, byCity];
