// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringbus core: the definitions of its trace events (ringbus_trace.h),
 * made in this one object.
 */

#include "internal.h"

#define CREATE_TRACE_POINTS
#include "ringbus_trace.h"
