#include "health/endpoint.hpp"

namespace xdplb::health {

boost::asio::ip::address asio_address(const IpAddress& address) {
    if (address.family() == IpAddress::Family::v4) {
        boost::asio::ip::address_v4::bytes_type bytes;
        std::copy_n(address.bytes().begin(), bytes.size(), bytes.begin());
        return boost::asio::ip::address_v4(bytes);
    }
    boost::asio::ip::address_v6::bytes_type bytes;
    std::copy_n(address.bytes().begin(), bytes.size(), bytes.begin());
    return boost::asio::ip::address_v6(bytes);
}

}  // namespace xdplb::health
