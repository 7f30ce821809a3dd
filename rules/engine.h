// The guideline as pure functions: facts in, levels, refusals and explanations out. This header
// gathers the rules' units for callers that use several. Layer: rules (no I/O, no clock, no
// gRPC). Thread-safe: every function is pure. Every result names the RULES.md ids that decided
// it; texts are Vietnamese and English.
#pragma once

#include "rules/ballots.h"
#include "rules/ceilings.h"
#include "rules/criteria.h"
#include "rules/decisions.h"
#include "rules/eligibility.h"
#include "rules/facts.h"
#include "rules/placement.h"
#include "rules/policy.h"
#include "rules/retro.h"
#include "rules/rewards.h"
#include "rules/subject.h"
#include "rules/types.h"
