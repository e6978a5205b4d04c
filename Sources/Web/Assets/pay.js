// Card payment on a proforma page: Stripe.js collects the card (the card number never reaches Hostico), the server
// creates and confirms the PaymentIntent, and 3-D Secure is finished here when the bank asks for it.
(function () {
  var form = document.getElementById('card-form');
  if (!form || typeof Stripe === 'undefined') return;
  var stripe = Stripe(form.dataset.key);
  var card = stripe.elements().create('card');
  card.mount('#card-element');
  var result = document.getElementById('card-result');
  var button = form.querySelector('button');

  function show(text) { result.textContent = text; }

  async function paymentMethod() {
    // Stripe.js gives a PaymentMethod; a Stripe.js without createPaymentMethod (localstripe in the tests) gives a
    // token whose card the PaymentIntent accepts the same way.
    var made = await stripe.createPaymentMethod({type: 'card', card: card});
    if (made && made.paymentMethod) return made.paymentMethod.id;
    if (made && made.error) throw made.error;
    var tokenised = await stripe.createToken(card);
    if (tokenised.error) throw tokenised.error;
    return tokenised.token.card.id;
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    button.disabled = true;
    show(form.dataset.working);
    try {
      var body = new URLSearchParams({_csrf: form.dataset.csrf, payment_method: await paymentMethod()});
      var response = await fetch(form.action, {method: 'POST', body: body, credentials: 'same-origin', headers: {'Accept': 'application/json'}});
      var answer = await response.json();
      if (answer.clientSecret) {
        await stripe.confirmCardPayment(answer.clientSecret);
        window.location.assign(answer.next);
        return;
      }
      if (answer.next) { window.location.assign(answer.next); return; }
      show(answer.message || form.dataset.failed);
    } catch (e) {
      show((e && e.message) || form.dataset.failed);
    }
    button.disabled = false;
  });
})();
