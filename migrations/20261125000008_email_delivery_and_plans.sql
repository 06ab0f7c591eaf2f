-- Delivery: a claimed row is `sending` until its lease runs out; a worker that dies mid-send leaves
-- rows that another worker takes back after the lease (the documented at-least-once window).
ALTER TABLE email_outbox ADD COLUMN lease_until timestamptz;
ALTER TABLE email_outbox ADD COLUMN subject text;
CREATE INDEX email_outbox_sending ON email_outbox (lease_until) WHERE status = 'sending';
CREATE INDEX email_outbox_status ON email_outbox (status);

-- Wake the workers as soon as an email is queued (they also poll, in case a notification is missed).
CREATE FUNCTION email_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('email_outbox', '');
  RETURN NULL;
END;
$$;
CREATE TRIGGER email_outbox_queued AFTER INSERT ON email_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION email_outbox_notify();

-- The exercise library staff build plans from.
CREATE TABLE exercises (
  id           uuid PRIMARY KEY,
  slug         text NOT NULL CONSTRAINT exercises_slug_key UNIQUE,
  name         text NOT NULL,
  body_area    text NOT NULL,
  instructions text[] NOT NULL,
  sets         integer,
  reps         integer,
  hold_seconds integer,
  created_at   timestamptz NOT NULL DEFAULT now()
);

INSERT INTO exercises (id, slug, name, body_area, instructions, sets, reps, hold_seconds) VALUES
  ('01930000-0000-7000-8000-000000000001', 'standing-quadriceps-stretch', 'Standing quadriceps stretch', 'thigh',
   ARRAY['Stand tall next to a wall or chair and hold it for balance.',
         'Bend one knee and bring your heel towards your buttock; hold the ankle with the same-side hand.',
         'Keep your knees together and your hips pushed slightly forward until you feel a stretch at the front of the thigh.',
         'Hold, then slowly lower the foot and switch sides.'], 3, NULL, 30),
  ('01930000-0000-7000-8000-000000000002', 'wall-calf-stretch', 'Wall calf stretch', 'calf',
   ARRAY['Face a wall with your hands on it at shoulder height.',
         'Step one foot back, keeping that leg straight and the heel on the floor.',
         'Bend the front knee and lean towards the wall until you feel a stretch in the back calf.',
         'Hold, then switch legs.'], 3, NULL, 30),
  ('01930000-0000-7000-8000-000000000003', 'seated-hamstring-stretch', 'Seated hamstring stretch', 'thigh',
   ARRAY['Sit on the edge of a chair with one leg straight in front of you, heel on the floor and toes up.',
         'Keep your back straight and lean forward from the hips until you feel a stretch behind the thigh.',
         'Hold without bouncing, then switch legs.'], 3, NULL, 30),
  ('01930000-0000-7000-8000-000000000004', 'calf-raises', 'Calf raises', 'calf',
   ARRAY['Stand with your feet hip-width apart, lightly holding a wall or counter.',
         'Rise up onto the balls of your feet as high as you comfortably can.',
         'Pause at the top, then lower your heels slowly to the floor.'], 3, 15, NULL),
  ('01930000-0000-7000-8000-000000000005', 'straight-leg-raise', 'Straight leg raise', 'thigh',
   ARRAY['Lie on your back with one knee bent and the other leg straight.',
         'Tighten the front of the straight leg and lift it to the height of the bent knee.',
         'Lower it slowly.'], 3, 10, NULL),
  ('01930000-0000-7000-8000-000000000006', 'glute-bridge', 'Glute bridge', 'hip',
   ARRAY['Lie on your back with both knees bent and feet flat on the floor.',
         'Squeeze your buttocks and lift your hips until your body is in a straight line from shoulders to knees.',
         'Hold briefly, then lower slowly.'], 3, 12, 3);

-- Exercise plans and plans of care sent to patients (the email is an outbox row in the same transaction).
CREATE TABLE exercise_plans (
  id         uuid PRIMARY KEY,
  patient_id uuid NOT NULL REFERENCES patients (id),
  clinic_id  uuid REFERENCES clinics (id),
  staff_id   uuid NOT NULL REFERENCES staff (id),
  title      text NOT NULL,
  note       text,
  exercises  jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX exercise_plans_patient_id ON exercise_plans (patient_id);

CREATE TABLE care_plans (
  id              uuid PRIMARY KEY,
  patient_id      uuid NOT NULL REFERENCES patients (id),
  clinic_id       uuid REFERENCES clinics (id),
  staff_id        uuid NOT NULL REFERENCES staff (id),
  title           text NOT NULL,
  summary         text NOT NULL,
  goals           text[] NOT NULL,
  visits_per_week integer NOT NULL CONSTRAINT care_plans_visits CHECK (visits_per_week BETWEEN 1 AND 14),
  weeks           integer NOT NULL CONSTRAINT care_plans_weeks CHECK (weeks BETWEEN 1 AND 104),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX care_plans_patient_id ON care_plans (patient_id);

ALTER TABLE email_outbox ADD COLUMN exercise_plan_id uuid REFERENCES exercise_plans (id);
ALTER TABLE email_outbox ADD COLUMN care_plan_id uuid REFERENCES care_plans (id);

-- What unsubscribe links name instead of the patient's id or email: a random handle that means
-- nothing outside this database.
ALTER TABLE patients ADD COLUMN unsubscribe_ref uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE patients ADD CONSTRAINT patients_unsubscribe_ref_key UNIQUE (unsubscribe_ref);
