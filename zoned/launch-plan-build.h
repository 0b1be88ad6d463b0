/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "brand.h"
#include "launch-plan.h"
#include "zone.h"

/* Zone configuration + brand → the launch plan the supervisor executes. */
int launch_plan_build(Zone *z, const Brand *b, LaunchPlan **ret);
