// sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET (a path, or an
// abstract name starting with '@'). answerd sends READY=1 when it serves,
// RELOADING=1 + MONOTONIC_USEC and READY=1 around a reload, STOPPING=1 on shutdown,
// and STATUS= lines. Without NOTIFY_SOCKET it does nothing.
#pragma once

#include <string_view>

namespace answerd::daemon {

// True when the message was sent; false when NOTIFY_SOCKET is unset or sending failed.
bool sd_notify(std::string_view state);

// "RELOADING=1\nMONOTONIC_USEC=<now>" as systemd's Type=notify-reload expects.
bool sd_notify_reloading();

}  // namespace answerd::daemon
