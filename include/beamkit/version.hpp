// SPDX-License-Identifier: BSD-3-Clause
// The one place the version is defined; CMakeLists.txt parses these three lines.
#pragma once
#define BEAMKIT_VERSION_MAJOR 0
#define BEAMKIT_VERSION_MINOR 1
#define BEAMKIT_VERSION_PATCH 0
#define BEAMKIT_VERSION_STRING "0.1.0"
