// mysql: reads and validates the server's greeting, so that a port which
// accepts TCP but does not speak MySQL is down. With check_user it logs in
// (mysql_native_password, the password from check_password_file, else
// none), expects OK and sends COM_QUIT, so the server sees a clean session.
// Without a user the server counts each check as an aborted connection.
#pragma once

#include <boost/asio/io_context.hpp>

#include "health/check_operation.hpp"
#include "model/health_check.hpp"

namespace xdplb::health {

void run_mysql_check(boost::asio::io_context& io, const model::HealthCheck& check, CheckDone done);

}  // namespace xdplb::health
