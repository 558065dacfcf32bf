#include "edgeloop/edge/http_answers.h"

#include <httplib.h>

namespace edgeloop {

void answer_uncompressed(const httplib::Request& request) {
  // The request object is httplib's own, not const; only the handler's view of it is.
  const_cast<httplib::Request&>(request).headers.erase("Accept-Encoding");
}

}  // namespace edgeloop
