import { createApp } from "vue";
import { createRouter, createWebHistory } from "vue-router";
import App from "./App.vue";
import PortfolioView from "./views/PortfolioView.vue";
import OrdersView from "./views/OrdersView.vue";
import TicketView from "./views/TicketView.vue";
import LoginView from "./views/LoginView.vue";
import MoreView from "./views/MoreView.vue";
import WatchView from "./views/WatchView.vue";
import RiskView from "./views/RiskView.vue";
import "./style.css";

const router = createRouter({
  history: createWebHistory("/app/"),
  routes: [
    { path: "/", component: PortfolioView },
    { path: "/orders", component: OrdersView },
    { path: "/trade", component: TicketView },
    { path: "/more", component: MoreView },
    { path: "/watch", component: WatchView },
    { path: "/risk", component: RiskView },
    { path: "/login", component: LoginView },
    { path: "/:rest(.*)*", redirect: "/" },
  ],
});

createApp(App).use(router).mount("#app");
