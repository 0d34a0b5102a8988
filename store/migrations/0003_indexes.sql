-- Indexes for the calendar on a large history.
-- DayCounts counts a day's open and cancelled positions as ranges of this
-- index (status, then start), without reading a row; job_id makes the count
-- of jobs with an open position covered too.
CREATE INDEX positions_status ON positions(status, starts_at, job_id);
